"""Named tuples returned by ops such as max(dim) (`values`, `indices`), as PyTorch's return_types."""


def make_return_type(name, fields):
    """A tuple subclass with named fields that prints as `dxdy.return_types.<name>(...)`."""

    def __new__(cls, values):
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"dxdy.return_types.{name}(\n{body})"

    attrs = {"__slots__": (), "__new__": __new__, "__repr__": __repr__, "_fields": fields,
             "n_fields": len(fields), "__module__": "dxdy.return_types"}
    for i, f in enumerate(fields):
        attrs[f] = property(lambda self, i=i: self[i])
    cls = type(name, (tuple,), attrs)
    globals()[name] = cls
    return cls
