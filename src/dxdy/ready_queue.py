"""The ready set of a backward pass, when it holds several entries: PyTorch's heap.

NOTE [Ready heap]
The engine runs the ready entry of highest rank first (NOTE [Execution order] in
engine.py): a node's rank is its creation number (`_seq`), a leaf's LEAF_RANK.
Ranks tie only between leaves, and PyTorch breaks those ties by where the leaves
sit in its binary heap (std::priority_queue over a vector, compared with a
strict <). So this heap is not heapq's: `push` and `pop` take exactly the steps
of libstdc++'s push_heap and pop_heap, and equal ranks come out in PyTorch's
order (cat of 7 leaves accumulates them as 0, 2, 5, 6, 4, 1, 3). `ranks` runs
beside `heap`; the engine keeps a one-entry list unranked (`ranks` empty), and
`push` ranks that entry when a second one comes.
"""


LEAF_RANK = 2 ** 64 - 1  # PyTorch's AccumulateGrad number: a ready leaf runs before any node


def push(heap, ranks, e, rank):
    """Add `e` to the ready heap: sift up past the entries of lower rank (std::push_heap)."""
    if not ranks:  # the heap holds one entry, not ranked until now
        first = heap[0]
        ranks.append(first._seq if first.is_node else LEAF_RANK)
    heap.append(e)
    ranks.append(rank)
    _sift_up(heap, ranks, len(heap) - 1, e, rank)


def pop(heap, ranks):
    """Take the top of the ready heap by std::pop_heap's steps, so that ties between leaves fall as in PyTorch.

    The hole left at the top moves down along the higher-ranked child to the bottom, then the
    last entry is sifted up from there.
    """
    top = heap[0]
    last, last_rank = heap.pop(), ranks.pop()
    n = len(heap)
    if not n:
        return top
    hole = child = 0
    while child < (n - 1) >> 1:
        child = 2 * child + 2
        if ranks[child] < ranks[child - 1]:
            child -= 1
        heap[hole], ranks[hole] = heap[child], ranks[child]
        hole = child
    if not n & 1 and child == (n - 2) >> 1:
        child = 2 * child + 1
        heap[hole], ranks[hole] = heap[child], ranks[child]
        hole = child
    _sift_up(heap, ranks, hole, last, last_rank)
    return top


def _sift_up(heap, ranks, hole, e, rank):
    """Put `e` at `hole` or above it, moving down each parent of lower rank (libstdc++'s __push_heap, which
    push_heap and pop_heap share)."""
    while hole:
        parent = (hole - 1) >> 1
        if ranks[parent] >= rank:
            break
        heap[hole], ranks[hole] = heap[parent], ranks[parent]
        hole = parent
    heap[hole], ranks[hole] = e, rank
