"""Custom autograd.Functions that several test files run in both libraries (`lib` is torch or dxdy)."""


def old_style_cube(lib):
    """x ** 3 as an autograd.Function of the old style (ctx in forward), saving its input."""
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * g
    return Cube
