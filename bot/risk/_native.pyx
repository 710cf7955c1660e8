# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# cython: cdivision=True
"""The risk engine's set arithmetic in C: the gate's plan and the lexicon's sums.

An optional accelerator. bot.risk.gate and bot.risk.learned hold the reference in Python and
use this module when it was built; both give the same answers, float for float
(tests/risk/test_native.py compares them on every labelled set). Everything a comment needs is
allocated per call, so threads may share one engine.
"""

from cpython.dict cimport PyDict_GetItem
from cpython.ref cimport PyObject
from libc.math cimport exp
from libc.stdint cimport uint64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy


cdef extern from *:
    int __builtin_ctzll(unsigned long long) nogil


cdef int* _int_array(object values, int bound, int* size) except? NULL:
    """A malloc'd copy of the ints in `values` (ascending), each in [0, bound), its length in
    size[0]: an id out of range would be a read or write out of bounds later."""
    cdef list items = sorted(values)
    cdef int n = len(items)
    cdef int* out = <int*> malloc(max(n, 1) * sizeof(int))
    if out == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            out[i] = items[i]
            if not 0 <= out[i] < bound:
                raise ValueError(f"id {items[i]} out of range 0..{bound - 1}")
    except BaseException:
        free(out)
        raise
    size[0] = n
    return out


cdef inline void _remember(dict words, Py_ssize_t limit, str word, object entry) except *:
    """Keep a word's entry, emptying the cache first when it is full (bounded memory; a plan
    under way holds its own references)."""
    if len(words) > limit:
        words.clear()
    words[word] = entry


cdef class _Word:
    """What one distinct word satisfies: needed words, variants it triggers and begins."""

    cdef int* needs
    cdef int* triggers
    cdef int* firsts
    cdef int n_needs, n_triggers, n_firsts

    def __dealloc__(self):
        free(self.needs)
        free(self.triggers)
        free(self.firsts)


cdef class GateCore:
    """The gate's tables as C arrays (see bot.risk.gate.Gate, whose `word_ids` it calls for a
    word it has not seen)."""

    cdef int n_needs, n_variants, n_patterns
    cdef int* owner
    cdef int* need_start
    cdef int* need_ids
    cdef int* variant_start
    cdef unsigned char* exact
    cdef int* always
    cdef int n_always
    cdef dict words
    cdef object learn
    cdef Py_ssize_t limit

    def __cinit__(self):
        self.owner = self.need_start = self.need_ids = NULL
        self.variant_start = self.always = NULL
        self.exact = NULL

    def __init__(
        self, list owner, list needs, list always, object exact, int n_needs, int n_patterns,
        object learn, Py_ssize_t limit,
    ):
        cdef int v, k, j, total = 0
        cdef int n = len(owner)
        if self.owner != NULL:
            raise TypeError("a GateCore is initialised once")
        self.n_variants = n
        self.n_needs = n_needs
        self.n_patterns = n_patterns
        self.words = {}
        self.learn = learn
        self.limit = limit
        self.owner = <int*> malloc(max(n, 1) * sizeof(int))
        self.need_start = <int*> malloc((n + 1) * sizeof(int))
        self.exact = <unsigned char*> calloc(max(n, 1), 1)
        self.variant_start = <int*> calloc(self.n_patterns + 1, sizeof(int))
        if not (self.owner and self.need_start and self.exact and self.variant_start):
            raise MemoryError()
        for v in range(n):
            total += len(needs[v])
        self.need_ids = <int*> malloc(max(total, 1) * sizeof(int))
        if self.need_ids == NULL:
            raise MemoryError()
        total = 0
        for v in range(n):
            # Variants are numbered pattern by pattern: those of k are one run.
            if not 0 <= owner[v] < n_patterns or (v and owner[v] < owner[v - 1]):
                raise ValueError(f"variant {v}: owner {owner[v]} out of order")
            self.owner[v] = owner[v]
            self.need_start[v] = total
            for j in sorted(needs[v]):
                if not 0 <= j < n_needs:
                    raise ValueError(f"need {j} of variant {v} out of range")
                self.need_ids[total] = j
                total += 1
            self.exact[v] = v in exact
            self.variant_start[owner[v] + 1] += 1
        self.need_start[n] = total
        for k in range(self.n_patterns):
            self.variant_start[k + 1] += self.variant_start[k]
        self.always = _int_array(always, n, &self.n_always)

    def __dealloc__(self):
        free(self.owner)
        free(self.need_start)
        free(self.need_ids)
        free(self.variant_start)
        free(self.exact)
        free(self.always)

    cdef _Word _word(self, str word):
        cdef PyObject* found = PyDict_GetItem(self.words, word)
        if found != NULL:
            return <_Word> found
        needs, triggers, firsts = self.learn(word)
        cdef _Word entry = _Word.__new__(_Word)
        entry.needs = _int_array(needs, self.n_needs, &entry.n_needs)
        entry.triggers = _int_array(triggers, self.n_variants, &entry.n_triggers)
        entry.firsts = _int_array(firsts, self.n_variants, &entry.n_firsts)
        _remember(self.words, self.limit, word, entry)
        return entry

    def plan(self, list words):
        """The patterns that may match a text with these words (a NativePlan)."""
        cdef NativePlan plan = NativePlan.__new__(NativePlan)
        cdef int i, j, v, m, n_live = 0
        cdef int n_words = len(words)
        cdef _Word entry
        cdef unsigned char* have
        cdef unsigned char* state
        cdef int* live
        plan.gate = self
        plan.entries = []
        plan.have = <unsigned char*> calloc(max(self.n_needs, 1), 1)
        # Per variant: 0 not triggered, 1 may match, 2 triggered but a needed word is missing.
        plan.state = <unsigned char*> calloc(max(self.n_variants, 1), 1)
        live = <int*> malloc(max(self.n_patterns, 1) * sizeof(int))
        if plan.have == NULL or plan.state == NULL or live == NULL:
            free(live)
            raise MemoryError()
        have, state = plan.have, plan.state
        try:
            for i in range(n_words):
                entry = self._word(words[i])
                plan.entries.append(entry)
                for j in range(entry.n_needs):
                    have[entry.needs[j]] = 1
            for i in range(n_words):
                entry = <_Word> plan.entries[i]
                for j in range(entry.n_triggers):
                    v = entry.triggers[j]
                    if state[v]:
                        continue
                    state[v] = 1
                    for m in range(self.need_start[v], self.need_start[v + 1]):
                        if not have[self.need_ids[m]]:
                            state[v] = 2
                            break
                    if state[v] == 1:
                        n_live = _add_pattern(live, n_live, self.owner[v])
            for j in range(self.n_always):
                v = self.always[j]
                state[v] = 1
                n_live = _add_pattern(live, n_live, self.owner[v])
            plan.live = [live[i] for i in range(n_live)]
        finally:
            free(live)
        return plan


cdef inline int _add_pattern(int* live, int n, int k) noexcept:
    """Insert k into the ascending live[0:n] unless there; returns the new length."""
    cdef int i = n
    while i > 0 and live[i - 1] > k:
        i -= 1
    if i > 0 and live[i - 1] == k:
        return n
    cdef int j = n
    while j > i:
        live[j] = live[j - 1]
        j -= 1
    live[i] = k
    return n + 1


cdef class NativePlan:
    """What the gate found in one text (see bot.risk.gate.Plan)."""

    cdef GateCore gate
    cdef list entries
    cdef unsigned char* have
    cdef unsigned char* state
    cdef public list live

    def __dealloc__(self):
        free(self.have)
        free(self.state)

    def __cinit__(self):
        self.gate = None
        self.have = self.state = NULL

    def positions(self, list starts):
        """Per live pattern, the ascending offsets (`starts` of the words) where it may begin."""
        if self.gate is None:
            raise TypeError("a NativePlan comes from GateCore.plan")
        if len(starts) != len(self.entries):
            raise ValueError(f"{len(starts)} word starts for {len(self.entries)} words")
        cdef dict at = {}
        cdef int i, j, v, k
        cdef _Word entry
        cdef list where
        cdef object pos
        cdef unsigned char* state = self.state
        for i in range(len(self.entries)):
            entry = <_Word> self.entries[i]
            pos = starts[i]
            for j in range(entry.n_firsts):
                v = entry.firsts[j]
                if state[v] != 1:
                    continue
                k = self.gate.owner[v]
                found = PyDict_GetItem(at, k)
                if found == NULL:
                    at[k] = [pos]
                else:
                    where = <list> found
                    if where[len(where) - 1] != pos:  # another variant of k at this word
                        where.append(pos)
        return at

    def starts_of(self, int k):
        """Indexes of the words where pattern k (one looked at on request) may begin, or None
        when it is known to match (its words alone say so)."""
        if self.gate is None:
            raise TypeError("a NativePlan comes from GateCore.plan")
        cdef GateCore gate = self.gate
        if not 0 <= k < gate.n_patterns:
            raise IndexError(f"pattern {k} out of range")
        cdef int v, m, i, j, n_live = 0
        cdef bint ok, exact = False
        cdef list out
        cdef _Word entry
        cdef int first = gate.variant_start[k]
        cdef int last = gate.variant_start[k + 1]
        cdef unsigned char* live = <unsigned char*> calloc(max(last - first, 1), 1)
        if live == NULL:
            raise MemoryError()
        try:
            for v in range(first, last):
                ok = True
                for m in range(gate.need_start[v], gate.need_start[v + 1]):
                    if not self.have[gate.need_ids[m]]:
                        ok = False
                        break
                if ok:
                    live[v - first] = 1
                    n_live += 1
                    exact = exact or gate.exact[v]
            if not n_live:
                return []
            if exact:
                return None
            out = []
            for i in range(len(self.entries)):
                entry = <_Word> self.entries[i]
                for j in range(entry.n_firsts):
                    v = entry.firsts[j]
                    if first <= v < last and live[v - first]:
                        out.append(i)
                        break
            return out
        finally:
            free(live)


cdef class _Rows:
    """A word's own feature rows, its stretched letters collapsed, and whether it can begin or
    end a word pair."""

    cdef str word
    cdef int* rows
    cdef int n_rows
    cdef bint pair_first, pair_second

    def __dealloc__(self):
        free(self.rows)


cdef class LexiconCore:
    """The lexicon's weights as one C array (see bot.risk.learned.Lexicon, whose `own_rows`
    it calls for a word it has not seen, after `collapse` has shortened its stretched
    letters)."""

    cdef double* weights
    cdef double* bias
    cdef int n_rows, n_heads
    cdef dict words, pairs
    cdef frozenset firsts, seconds
    cdef object own, collapse
    cdef Py_ssize_t limit

    def __cinit__(self):
        self.weights = self.bias = NULL

    def __init__(
        self, object weights, object bias, dict pairs, object own, object collapse,
        Py_ssize_t limit,
    ):
        cdef const double[:, ::1] w = weights
        cdef const double[::1] b = bias
        if self.weights != NULL:
            raise TypeError("a LexiconCore is initialised once")
        for pair, row in pairs.items():
            if not (isinstance(pair, tuple) and len(pair) == 2 and 0 <= row < w.shape[0]):
                raise ValueError(f"word pair {pair!r} (row {row}) is not a pair of words")
        self.n_rows, self.n_heads = w.shape[0], w.shape[1]
        if b.shape[0] != self.n_heads:
            raise ValueError("one bias per head")
        self.weights = <double*> malloc(max(self.n_rows * self.n_heads, 1) * sizeof(double))
        self.bias = <double*> malloc(max(self.n_heads, 1) * sizeof(double))
        if self.weights == NULL or self.bias == NULL:
            raise MemoryError()
        if self.n_rows:
            memcpy(self.weights, &w[0, 0], self.n_rows * self.n_heads * sizeof(double))
        for j in range(self.n_heads):
            self.bias[j] = b[j]
        self.pairs = pairs
        self.firsts = frozenset([pair[0] for pair in pairs])
        self.seconds = frozenset([pair[1] for pair in pairs])
        self.own = own
        self.collapse = collapse
        self.limit = limit
        self.words = {}

    def __dealloc__(self):
        free(self.weights)
        free(self.bias)

    cdef _Rows _word(self, str word):
        cdef PyObject* found = PyDict_GetItem(self.words, word)
        if found != NULL:
            return <_Rows> found
        cdef _Rows entry = _Rows.__new__(_Rows)
        entry.word = self.collapse(word)
        entry.rows = _int_array(self.own(entry.word), self.n_rows, &entry.n_rows)
        entry.pair_first = entry.word in self.firsts
        entry.pair_second = entry.word in self.seconds
        _remember(self.words, self.limit, word, entry)
        return entry

    def probabilities(self, list words):
        """Probability per head for a text with these folded words (stretched letters not yet
        collapsed): each feature present counts once, rows are summed in ascending order, then
        1 / (1 + exp(-clip(bias + sum)))."""
        cdef int n_blocks = (self.n_rows + 63) // 64
        cdef uint64_t* seen = <uint64_t*> calloc(max(n_blocks, 1), sizeof(uint64_t))
        cdef double* z = <double*> calloc(max(self.n_heads, 1), sizeof(double))
        cdef int i, j, r, block
        cdef uint64_t bits
        cdef _Rows entry
        cdef _Rows previous = None
        cdef double* row
        cdef double value
        if seen == NULL or z == NULL:
            free(seen)
            free(z)
            raise MemoryError()
        try:
            for word in words:
                entry = self._word(word)
                for i in range(entry.n_rows):
                    r = entry.rows[i]
                    seen[r >> 6] |= (<uint64_t> 1) << (r & 63)
                if previous is not None and previous.pair_first and entry.pair_second:
                    pair = self.pairs.get((previous.word, entry.word))
                    if pair is not None:
                        r = pair
                        seen[r >> 6] |= (<uint64_t> 1) << (r & 63)
                previous = entry
            for block in range(n_blocks):
                bits = seen[block]
                while bits:
                    r = block * 64 + _lowest_bit(bits)
                    bits &= bits - 1
                    row = self.weights + r * self.n_heads
                    for j in range(self.n_heads):
                        z[j] += row[j]
            out = []
            for j in range(self.n_heads):
                value = self.bias[j] + z[j]
                value = min(max(value, -30.0), 30.0)
                out.append(1.0 / (1.0 + exp(-value)))
            return out
        finally:
            free(seen)
            free(z)


cdef inline int _lowest_bit(uint64_t bits) noexcept:
    return __builtin_ctzll(bits)
