# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# cython: cdivision=True
"""The risk engine's inner loops in C: normalising, the gate's plan, the regex calls that try
its live patterns, and the lexicon's sums.

An optional accelerator. bot.risk.normalize, bot.risk.gate, bot.risk.scan and
bot.risk.learned hold the reference in Python and use this module when it was built; both give the same answers, float for float
(tests/risk/test_native.py compares them on every labelled set). Everything a comment needs is
allocated per call, so threads may share one engine.
"""

cimport cython
from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject_GetItem
from cpython.unicode cimport PyUnicode_DecodeASCII
from cpython.unicode cimport Py_UNICODE_ISALNUM, Py_UNICODE_ISDECIMAL, Py_UNICODE_ISSPACE
from cpython.ref cimport PyObject
from libc.math cimport exp
from libc.stdint cimport uint8_t, uint16_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, qsort, realloc
from libc.string cimport memcmp, memcpy, memset


cdef extern from "<stdlib.h>":
    void* aligned_alloc(size_t alignment, size_t size) nogil

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    int PyUnicode_1BYTE_KIND
    int PyUnicode_4BYTE_KIND
    int PyUnicode_KIND(object text)
    void* PyUnicode_DATA(object text)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index) nogil


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


cdef inline bint _invisible(Py_UCS4 c) noexcept nogil:
    """A combining mark or an invisible character (bot.risk.repair.COMBINING)."""
    return (
        0x300 <= c <= 0x36F or c == 0xAD or 0x200B <= c <= 0x200F or 0x2060 <= c <= 0x2064
        or c == 0xFEFF or 0xFE00 <= c <= 0xFE0F
    )


cdef inline bint _look_alike(Py_UCS4 c) noexcept nogil:
    """A fullwidth, mathematical or enclosed letter or digit (bot.risk.repair.COMPAT)."""
    return (
        0xFF01 <= c <= 0xFF5E or 0x2460 <= c <= 0x24FF or 0x1D400 <= c <= 0x1D7FF
        or 0x1F130 <= c <= 0x1F189
    )


# What fold() tells of the folded text, as bits (bot.risk.normalize reads them); C constants,
# so that setting one in a loop stays in C.
cdef enum:
    _STRETCHED = 1
    _OBFUSCATED = 2
    _SPACED = 4
STRETCHED, OBFUSCATED, SPACED = _STRETCHED, _OBFUSCATED, _SPACED


cdef inline bint _letter(Py_UCS4 c) noexcept nogil:
    return 97 <= c <= 122  # a-z


cdef inline bint _leet(Py_UCS4 c) noexcept nogil:
    """A digit or symbol of leetspeak and masks: 0-9 @ $ € * #."""
    return 48 <= c <= 57 or c == 64 or c == 36 or c == 0x20AC or c == 42 or c == 35


cdef inline bint _spacer(Py_UCS4 c) noexcept nogil:
    """What spaces out a word's letters: " . - _ *"."""
    return c == 32 or c == 46 or c == 45 or c == 95 or c == 42


cdef inline bint _vowel(Py_UCS4 c) noexcept nogil:
    return c == 97 or c == 101 or c == 105 or c == 111 or c == 117 or c == 121  # aeiouy


cdef inline bint _consonant(Py_UCS4 c) noexcept nogil:
    return 97 < c <= 122 and not _vowel(c)


cdef inline bint _word_char(Py_UCS4 c) noexcept:
    """As re's \\w: a letter, a digit or "_"."""
    cdef unsigned int code = c
    if code < 128:
        return 48 <= code <= 57 or 97 <= (code | 32) <= 122 or code == 95
    return Py_UNICODE_ISALNUM(c)


@cython.final
cdef class _Text:
    """A growing buffer of characters, each with its span in the original text."""

    cdef Py_UCS4* chars
    cdef Py_ssize_t* starts
    cdef Py_ssize_t* ends
    cdef Py_ssize_t size, capacity

    def __cinit__(self, Py_ssize_t capacity):
        self.capacity = max(capacity, 16)
        self.size = 0
        self.chars = <Py_UCS4*> malloc(self.capacity * sizeof(Py_UCS4))
        self.starts = <Py_ssize_t*> malloc(self.capacity * sizeof(Py_ssize_t))
        self.ends = <Py_ssize_t*> malloc(self.capacity * sizeof(Py_ssize_t))
        if self.chars == NULL or self.starts == NULL or self.ends == NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.chars)
        free(self.starts)
        free(self.ends)

    cdef inline int add(self, Py_UCS4 c, Py_ssize_t start, Py_ssize_t end) except -1:
        if self.size == self.capacity:
            self.grow()
        self.chars[self.size] = c
        self.starts[self.size] = start
        self.ends[self.size] = end
        self.size += 1
        return 0

    cdef int grow(self) except -1:
        """Double the capacity (an emoji's words are longer than the emoji)."""
        cdef Py_ssize_t grown = self.capacity * 2
        cdef Py_UCS4* chars = <Py_UCS4*> realloc(self.chars, grown * sizeof(Py_UCS4))
        if chars == NULL:
            raise MemoryError()
        self.chars = chars
        cdef Py_ssize_t* starts = <Py_ssize_t*> realloc(self.starts, grown * sizeof(Py_ssize_t))
        if starts == NULL:
            raise MemoryError()
        self.starts = starts
        cdef Py_ssize_t* ends = <Py_ssize_t*> realloc(self.ends, grown * sizeof(Py_ssize_t))
        if ends == NULL:
            raise MemoryError()
        self.ends = ends
        self.capacity = grown
        return 0

    cdef int marks(self) noexcept:
        """STRETCHED: a vowel doubled or a consonant tripled (bot.risk.normalize's _REPEAT);
        OBFUSCATED: a letter next to a digit or symbol, or "!"/"|" between letters
        (_OBFUSCATED_FAST); SPACED: three single letters spaced out (_SPACED_FAST)."""
        cdef Py_ssize_t i, n = self.size
        cdef Py_UCS4* t = self.chars
        cdef Py_UCS4 a, b
        cdef int found = 0
        for i in range(1, n):
            a, b = t[i - 1], t[i]
            if a == b and (_vowel(b) or (i >= 2 and t[i - 2] == b and _consonant(b))):
                found |= _STRETCHED
            if (
                (_letter(a) and _leet(b)) or (_leet(a) and _letter(b))
                or (i + 1 < n and _letter(a) and (b == 33 or b == 124) and _letter(t[i + 1]))
            ):
                found |= _OBFUSCATED
            if (
                _spacer(b) and _letter(a) and (i == 1 or not _word_char(t[i - 2]))
                and i + 3 < n and _letter(t[i + 1]) and _spacer(t[i + 2]) and _letter(t[i + 3])
                and (i + 4 == n or not _word_char(t[i + 4]))
            ):
                found |= _SPACED
        return found

    cdef tuple result(self, bint moved):
        """(text, starts, ends, words, word starts); the offset lists None when nothing moved."""
        cdef Py_ssize_t i = 0, begin
        cdef list words = []
        cdef list where = []
        text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, self.chars, self.size)
        while i < self.size:
            if not _word_char(self.chars[i]):
                i += 1
                continue
            begin = i
            while i < self.size and _word_char(self.chars[i]):
                i += 1
            words.append(PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, self.chars + begin, i - begin))
            where.append(begin)
        if not moved:
            return text, None, None, words, where
        return (
            text,
            [self.starts[i] for i in range(self.size)],
            [self.ends[i] for i in range(self.size)],
            words,
            where,
        )


cdef class NormCore:
    """Normalising's common path (see bot.risk.normalize.Normalizer): lowercase, invisible
    marks removed, diacritics folded, emojis as words, stretched letters collapsed."""

    cdef Py_UCS4* fold_table
    cdef Py_ssize_t n_fold
    cdef dict emoji
    cdef Py_UCS4 emoji_min
    # Lowercase of each Latin-1 character (one Latin-1 character each): text of one byte per
    # character is lowercased here, without str.lower()'s lookups in the Unicode database.
    cdef Py_UCS4 lower_latin1[256]

    def __cinit__(self):
        self.fold_table = NULL

    def __init__(self, str fold, dict emoji):
        cdef Py_ssize_t i = 0
        if self.fold_table != NULL:
            raise TypeError("a NormCore is initialised once")
        self.n_fold = len(fold)
        self.fold_table = <Py_UCS4*> malloc(max(self.n_fold, 1) * sizeof(Py_UCS4))
        if self.fold_table == NULL:
            raise MemoryError()
        for c in fold:
            self.fold_table[i] = c
            i += 1
        for i in range(256):
            lowered = chr(i).lower()
            if len(lowered) != 1 or ord(lowered) > 255:
                raise ValueError(f"U+{i:04X} lowercases beyond one Latin-1 character")
            self.lower_latin1[i] = ord(lowered)
        self.emoji = {}
        self.emoji_min = 0x10FFFF
        for key, words in emoji.items():
            if not (isinstance(key, str) and len(key) == 1 and isinstance(words, str)):
                raise ValueError(f"emoji {key!r}: one character, replaced by a str")
            self.emoji[key] = words
            self.emoji_min = min(self.emoji_min, <Py_UCS4> ord(key))

    def __dealloc__(self):
        free(self.fold_table)

    def fold(self, str text):
        """(text, starts, ends, words, word starts, marks) of `text` lowercased,
        its invisible marks removed, its diacritics folded and its emojis made words; None when
        the Python path must do it (look-alike letters, or lowercasing that changes the length).
        Text that is all ASCII is only lowercased, as bot.risk.normalize does. The marks say
        what the Python path must still repair (see _Text.marks)."""
        cdef bint narrow = PyUnicode_KIND(text) == PyUnicode_1BYTE_KIND
        cdef str lowered = text if narrow else text.lower()
        cdef Py_ssize_t i, n = len(lowered)
        cdef bint ascii = text.isascii(), moved = False
        cdef Py_UCS4 c, w
        if n != len(text):
            return None
        cdef _Text out = _Text(n)
        cdef int kind = PyUnicode_KIND(lowered), text_kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(lowered)
        cdef void* text_data = PyUnicode_DATA(text)
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if narrow:
                c = self.lower_latin1[c]
            if not ascii:
                if _look_alike(PyUnicode_READ(text_kind, text_data, i)):
                    return None
                if _invisible(c):
                    moved = True
                    continue
                if c < self.n_fold:
                    c = self.fold_table[c]
                if c >= self.emoji_min:
                    found = PyDict_GetItem(self.emoji, c)
                    if found != NULL:
                        for w in <str> found:
                            out.add(w, i, i + 1)
                        moved = True
                        continue
            out.add(c, i, i + 1)
        return out.result(moved) + (out.marks(),)

    def characters(self, str text):
        """The set of the characters in `text`, as set(text) gives it: each Latin-1 character
        is added once (a bit marks it as seen), not hashed again at every occurrence."""
        cdef uint64_t seen[4]
        cdef Py_ssize_t i, n = len(text)
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef unsigned int c
        cdef set out = set()
        memset(seen, 0, sizeof(seen))
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c < 256:
                if (seen[c >> 6] >> (c & 63)) & 1:
                    continue
                seen[c >> 6] |= (<uint64_t> 1) << (c & 63)
            out.add(chr(c))
        return out

    def collapse(self, str text, object starts, object ends):
        """(text, starts, ends, words, word starts) with runs of a vowel made one and runs of
        three or more of a consonant made two (bot.risk.normalize's _REPEAT); each kept letter
        spans the whole run in the original."""
        cdef Py_ssize_t n = len(text), i = 0, j, keep, k
        cdef Py_UCS4 c
        if (starts is None) != (ends is None):
            raise ValueError("starts and ends come together")
        if starts is not None:
            starts, ends = tuple(starts), tuple(ends)  # read below, and not changed meanwhile
            if len(starts) != n or len(ends) != n:
                raise ValueError("one start and end per character")
        cdef _Text out = _Text(n)
        cdef Py_ssize_t* first = <Py_ssize_t*> malloc(max(n, 1) * sizeof(Py_ssize_t))
        cdef Py_ssize_t* last = <Py_ssize_t*> malloc(max(n, 1) * sizeof(Py_ssize_t))
        if first == NULL or last == NULL:
            free(first)
            free(last)
            raise MemoryError()
        try:
            for j in range(n):
                first[j] = j if starts is None else starts[j]
                last[j] = j + 1 if ends is None else ends[j]
            while i < n:
                c = text[i]
                j = i + 1
                while j < n and text[j] == c:
                    j += 1
                keep = 1 if _vowel(c) else 2 if _consonant(c) and j - i >= 3 else 0
                if keep:
                    for k in range(keep):
                        out.add(c, first[i], last[j - 1])
                else:
                    for k in range(i, j):
                        out.add(c, first[k], last[k])
                i = j
            return out.result(True)
        finally:
            free(first)
            free(last)


# FNV-1a, 64 bits: a word's letters are hashed as they are read.
cdef uint64_t _FNV_OFFSET = 14695981039346656037ULL
cdef uint64_t _FNV_PRIME = 1099511628211ULL

cdef enum:
    _GATE_KEY = 46  # a word of more letters, or beyond Latin-1, is looked up in a dict


cdef struct _WordSlot:
    # A word of the gate's table, in one cache line.
    uint64_t hash
    PyObject* entry  # its _Word, referenced from GateCore.words
    uint16_t length  # 0: the slot is empty
    char key[_GATE_KEY]


cdef Py_ssize_t _most_slots(Py_ssize_t limit) noexcept:
    """Slots for at most `limit` words (and 32,768) with the table at most half full."""
    cdef Py_ssize_t most = 16
    while most < 2 * min(max(limit, 1), 32768):
        most *= 2
    return most


cdef inline uint64_t _fnv(const unsigned char* key, Py_ssize_t length) noexcept:
    cdef uint64_t hash = _FNV_OFFSET
    cdef Py_ssize_t i
    for i in range(length):
        hash = (hash ^ key[i]) * _FNV_PRIME
    return hash


cdef class _Word:
    """What one distinct word satisfies: needed words, variants it triggers and begins (three
    arrays in one block: a plan reads all three, and one block is fewer cache misses)."""

    cdef int* needs
    cdef int* triggers
    cdef int* firsts
    cdef int n_needs, n_triggers, n_firsts

    def __cinit__(self):
        self.needs = NULL

    def __dealloc__(self):
        free(self.needs)


cdef enum:
    _SPARE_PLANS = 4  # finished plans' tables a GateCore keeps (one per thread at work)


cdef class NativePlan  # defined below; a GateCore takes back its tables


cdef inline bint _has_bit(const uint64_t* bits, int i) noexcept:
    return (bits[i >> 6] >> (i & 63)) & 1


cdef inline void _set_bit(uint64_t* bits, int i) noexcept:
    bits[i >> 6] |= (<uint64_t> 1) << (i & 63)


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
    # The words of `words` that are Latin-1 and short, found by their letters in an
    # open-addressed table (its entries borrowed from `words`, emptied with it): a dict
    # lookup of a new string costs a few cache misses more.
    cdef _WordSlot* slots
    cdef Py_ssize_t capacity, most, used
    # A plan's tables are bits, one block: the needs present, then the variants triggered,
    # then those whose needs are all present. As bytes they were 13 kB a text, a third of the
    # L1 cache, written and wiped at a thousand scattered places; as bits they are 2.5 kB,
    # wiped with one memset. Finished plans' blocks are kept for the next.
    cdef Py_ssize_t need_words, variant_words, block_words
    cdef uint64_t* spare[_SPARE_PLANS]
    cdef int n_spare

    def __cinit__(self):
        self.owner = self.need_start = self.need_ids = NULL
        self.variant_start = self.always = NULL
        self.exact = NULL
        self.slots = NULL
        self.n_spare = 0

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
        self.most = _most_slots(limit)
        self._empty_table(min(self.most, 4096))
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
        self.need_words = (n_needs + 63) // 64
        self.variant_words = (n + 63) // 64
        self.block_words = max(self.need_words + 2 * self.variant_words, 1)
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
        free(self.slots)
        while self.n_spare:
            self.n_spare -= 1
            free(self.spare[self.n_spare])

    cdef int _tables(self, NativePlan plan) except -1:
        """Give a new plan a zeroed block of tables: a finished plan's, else a new one."""
        cdef uint64_t* block
        if self.n_spare:
            self.n_spare -= 1
            block = self.spare[self.n_spare]
        else:
            block = <uint64_t*> calloc(self.block_words, sizeof(uint64_t))
            if block == NULL:
                raise MemoryError()
        plan.have = block
        plan.seen = block + self.need_words
        plan.met = plan.seen + self.variant_words
        return 0

    cdef void _keep_tables(self, uint64_t* block) noexcept:
        """Take back a finished plan's block, zeroed, unless enough are kept (then free it)."""
        if self.n_spare == _SPARE_PLANS:
            free(block)
            return
        memset(block, 0, self.block_words * sizeof(uint64_t))
        self.spare[self.n_spare] = block
        self.n_spare += 1

    cdef int _empty_table(self, Py_ssize_t capacity) except -1:
        """A new empty table of `capacity` slots (a power of two), the old one freed."""
        cdef _WordSlot* slots = _zeroed(self.slots, capacity)
        free(self.slots)
        self.slots, self.capacity, self.used = slots, capacity, 0
        return 0

    cdef int _keep(self, str word, _Word entry, bint table, uint64_t hash) except -1:
        """Keep a word's entry in `words` and, when `table`, in a slot; both are emptied
        together when full (bounded memory; a plan under way holds its own references)."""
        cdef const unsigned char* key = <const unsigned char*> PyUnicode_DATA(word)
        cdef int length = len(word)
        cdef _WordSlot* slot
        if len(self.words) > self.limit or (self.used + 1) * 2 > self.most:
            self.words.clear()
            self._empty_table(self.capacity)
        self.words[word] = entry
        if not table:
            return 0
        if (self.used + 1) * 2 > self.capacity:
            self.slots = _doubled(self.slots, self.capacity)
            self.capacity *= 2
        slot = _probe(self.slots, self.capacity, key, length, hash)
        slot.hash, slot.length, slot.entry = hash, length, <PyObject*> entry
        memcpy(slot.key, key, length)
        self.used += 1
        return 0

    cdef _Word _word(self, str word):
        cdef int kind = PyUnicode_KIND(word)
        cdef Py_ssize_t i, length = len(word)
        cdef const unsigned char* key = <const unsigned char*> PyUnicode_DATA(word)
        cdef uint64_t hash = 0
        cdef _WordSlot* slot
        cdef PyObject* found
        cdef bint table = kind == PyUnicode_1BYTE_KIND and 0 < length <= _GATE_KEY
        if table:
            hash = _fnv(key, length)
            slot = _probe(self.slots, self.capacity, key, length, hash)
            if slot.length:
                return <_Word> slot.entry
        else:
            found = PyDict_GetItem(self.words, word)
            if found != NULL:
                return <_Word> found
        needs, triggers, firsts = self.learn(word)
        cdef _Word entry = _Word.__new__(_Word)
        cdef int* parts[3]
        cdef int sizes[3]
        parts[0] = parts[1] = parts[2] = NULL
        try:
            parts[0] = _int_array(needs, self.n_needs, &sizes[0])
            parts[1] = _int_array(triggers, self.n_variants, &sizes[1])
            parts[2] = _int_array(firsts, self.n_variants, &sizes[2])
            entry.needs = <int*> malloc(max(sizes[0] + sizes[1] + sizes[2], 1) * sizeof(int))
            if entry.needs == NULL:
                raise MemoryError()
            entry.triggers = entry.needs + sizes[0]
            entry.firsts = entry.triggers + sizes[1]
            entry.n_needs, entry.n_triggers, entry.n_firsts = sizes[0], sizes[1], sizes[2]
            memcpy(entry.needs, parts[0], sizes[0] * sizeof(int))
            memcpy(entry.triggers, parts[1], sizes[1] * sizeof(int))
            memcpy(entry.firsts, parts[2], sizes[2] * sizeof(int))
        finally:
            free(parts[0])
            free(parts[1])
            free(parts[2])
        # No Python code runs from here on: another thread cannot change the table meanwhile.
        self._keep(word, entry, table, hash)
        return entry

    def plan(self, list words):
        """The patterns that may match a text with these words (a NativePlan)."""
        cdef NativePlan plan = NativePlan.__new__(NativePlan)
        cdef int i, j, v, m, n_live = 0
        cdef int n_words = len(words)
        cdef _Word entry
        cdef uint64_t* have
        cdef uint64_t* seen
        cdef uint64_t* met
        cdef bint all_needs
        cdef int* live
        plan.entries = []
        self._tables(plan)
        plan.gate = self  # from here on the plan gives its tables back when it goes
        live = <int*> malloc(max(self.n_patterns, 1) * sizeof(int))
        if live == NULL:
            raise MemoryError()
        have, seen, met = plan.have, plan.seen, plan.met
        try:
            for i in range(n_words):
                entry = self._word(words[i])
                plan.entries.append(entry)
                for j in range(entry.n_needs):
                    _set_bit(have, entry.needs[j])
            for i in range(n_words):
                entry = <_Word> plan.entries[i]
                for j in range(entry.n_triggers):
                    v = entry.triggers[j]
                    if _has_bit(seen, v):
                        continue
                    _set_bit(seen, v)
                    all_needs = True
                    for m in range(self.need_start[v], self.need_start[v + 1]):
                        if not _has_bit(have, self.need_ids[m]):
                            all_needs = False
                            break
                    if all_needs:
                        _set_bit(met, v)
                        n_live = _add_pattern(live, n_live, self.owner[v])
            for j in range(self.n_always):
                v = self.always[j]
                _set_bit(seen, v)
                _set_bit(met, v)
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
    # One block (see GateCore): the needs present, the variants triggered, the variants met.
    cdef uint64_t* have
    cdef uint64_t* seen
    cdef uint64_t* met
    cdef public list live

    def __dealloc__(self):
        # The gate is still set here unless the garbage collector cleared it (a cycle): then
        # the block is freed, not kept.
        if self.gate is not None and self.have != NULL:
            self.gate._keep_tables(self.have)
        else:
            free(self.have)

    def __cinit__(self):
        self.gate = None
        self.have = self.seen = self.met = NULL

    def positions(self, list starts):
        """Per live pattern, the ascending offsets (`starts` of the words) where it may begin."""
        if self.gate is None:
            raise TypeError("a NativePlan comes from GateCore.plan")
        cdef tuple values = tuple(starts)  # comparing offsets may run Python code
        if len(values) != len(self.entries):
            raise ValueError(f"{len(values)} word starts for {len(self.entries)} words")
        cdef dict at = {}
        cdef int i, j, v, k
        cdef _Word entry
        cdef list where
        cdef object pos
        cdef const uint64_t* met = self.met
        for i in range(len(self.entries)):
            entry = <_Word> self.entries[i]
            pos = values[i]
            for j in range(entry.n_firsts):
                v = entry.firsts[j]
                if not _has_bit(met, v):
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

    def needs_met(self, int k):
        """Whether some way pattern k can match has every word it needs in the text."""
        if self.gate is None:
            raise TypeError("a NativePlan comes from GateCore.plan")
        if not 0 <= k < self.gate.n_patterns:
            raise IndexError(f"pattern {k} out of range")
        return self._needs_met(k)

    cdef bint _needs_met(self, int k) noexcept:
        cdef int v
        for v in range(self.gate.variant_start[k], self.gate.variant_start[k + 1]):
            if self._variant_met(v):
                return True
        return False

    cdef inline bint _variant_met(self, int v) noexcept:
        """Whether every word variant v needs occurs in the text."""
        cdef GateCore gate = self.gate
        cdef int m
        for m in range(gate.need_start[v], gate.need_start[v + 1]):
            if not _has_bit(self.have, gate.need_ids[m]):
                return False
        return True

    def starts_of(self, int k):
        """Indexes of the words where pattern k (one looked at on request) may begin, or None
        when it is known to match (its words alone say so)."""
        if self.gate is None:
            raise TypeError("a NativePlan comes from GateCore.plan")
        cdef GateCore gate = self.gate
        if not 0 <= k < gate.n_patterns:
            raise IndexError(f"pattern {k} out of range")
        cdef int v, i, j, n_live = 0
        cdef bint exact = False
        cdef list out
        cdef _Word entry
        cdef int first = gate.variant_start[k]
        cdef int last = gate.variant_start[k + 1]
        cdef unsigned char* live = <unsigned char*> calloc(max(last - first, 1), 1)
        if live == NULL:
            raise MemoryError()
        try:
            for v in range(first, last):
                if self._variant_met(v):
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


cdef Py_ssize_t* _word_starts(str text, object starts, Py_ssize_t* size) except NULL:
    """A malloc'd copy of the word starts, checked once: ascending, each inside the text. The
    copy is what is read afterwards (the list may change while regexes run)."""
    cdef tuple values = tuple(starts)
    cdef Py_ssize_t n = len(values), n_text = len(text), i
    cdef Py_ssize_t* out = <Py_ssize_t*> malloc(max(n, 1) * sizeof(Py_ssize_t))
    if out == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            out[i] = values[i]
            if not 0 <= out[i] < n_text or (i and out[i] <= out[i - 1]):
                raise ValueError(f"word start {values[i]} out of order or beyond the text")
    except BaseException:
        free(out)
        raise
    size[0] = n
    return out


cdef int _sentences(str text, const Py_ssize_t* starts, Py_ssize_t n_words, int* sentence_of):
    """Number each word (beginning at `starts`, checked) by its sentence, as the rule
    language's separators see them (bot.risk.patterns.SEP): a sentence ends at a line break,
    and at a ".", "!" or "?" followed by a space or the end, unless the "." is one of several in
    a row. Returns the number of sentences."""
    cdef Py_ssize_t n = len(text), i, c
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef int sentence = 0
    cdef Py_UCS4 ch
    for i in range(n_words):
        if i:
            c = starts[i - 1]
            while c < starts[i] and _word_char(PyUnicode_READ(kind, data, c)):
                c += 1  # the end of the word before
            while c < starts[i]:
                ch = PyUnicode_READ(kind, data, c)
                if ch == 10 or (
                    (ch == 33 or ch == 63 or ch == 46)
                    and (c + 1 == n or Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, c + 1)))
                    and not (ch == 46 and c > 0 and PyUnicode_READ(kind, data, c - 1) == 46)
                ):
                    sentence += 1
                    break
                c += 1
        sentence_of[i] = sentence
    return sentence + 1


cdef void _sentence_ends(str text, const Py_ssize_t* starts, Py_ssize_t n_words, int* end):
    """Per word, the index just past the last word of its sentence (see _sentences)."""
    cdef Py_ssize_t i
    cdef int after = -1, sentence, last = n_words
    _sentences(text, starts, n_words, end)
    for i in range(n_words - 1, -1, -1):
        sentence = end[i]
        if i < n_words - 1 and sentence != after:
            last = i + 1
        end[i] = last
        after = sentence


cdef class _Words:
    """The needed words each word of a planned text has, as C arrays, for tests of what lies
    near a word."""

    cdef int** needs
    cdef int* n_needs
    cdef list entries  # keeps the arrays alive

    def __cinit__(self, list entries):
        cdef Py_ssize_t i, n = len(entries)
        cdef _Word entry
        self.entries = entries
        self.needs = <int**> malloc(max(n, 1) * sizeof(int*))
        self.n_needs = <int*> malloc(max(n, 1) * sizeof(int))
        if self.needs == NULL or self.n_needs == NULL:
            raise MemoryError()
        for i in range(n):
            entry = <_Word> entries[i]
            self.needs[i] = entry.needs
            self.n_needs[i] = entry.n_needs

    def __dealloc__(self):
        free(self.needs)
        free(self.n_needs)

    cdef bint near(self, GateCore gate, int v, Py_ssize_t first, Py_ssize_t last) noexcept:
        """Whether each word variant v needs occurs among words first..last-1."""
        cdef int m, need, x
        cdef Py_ssize_t j
        cdef bint found
        cdef int* needs
        for m in range(gate.need_start[v], gate.need_start[v + 1]):
            need = gate.need_ids[m]
            found = False
            for j in range(first, last):
                needs = self.needs[j]
                for x in range(self.n_needs[j]):
                    if needs[x] >= need:
                        found = needs[x] == need
                        break
                if found:
                    break
            if not found:
                return False
        return True


def sentence_numbers(str text, list starts):
    """The sentence of each word (as ScanCore.scan numbers them): for tests and review."""
    cdef Py_ssize_t n, i
    cdef Py_ssize_t* at = _word_starts(text, starts, &n)
    cdef int* sentence_of = <int*> malloc(max(n, 1) * sizeof(int))
    try:
        if sentence_of == NULL:
            raise MemoryError()
        _sentences(text, at, n, sentence_of)
        return [sentence_of[i] for i in range(n)]
    finally:
        free(at)
        free(sentence_of)


# The word half of a (pattern, word) pair; a C constant, so the mask stays a C operation.
cdef long long _LOW_WORD = 0xFFFFFFFF


cdef int _ascending(const void* a, const void* b) noexcept nogil:
    cdef long long x = (<const long long*> a)[0]
    cdef long long y = (<const long long*> b)[0]
    return (x > y) - (x < y)


cdef class _Chars:
    """Which characters below 256 a text and its original have (bits in words 0-3), and
    whether they have one above (word 4), each worked out when first asked for."""

    cdef str text, original
    cdef uint64_t in_text[5]
    cdef uint64_t in_original[5]
    cdef bint text_known, original_known

    def __cinit__(self, str text, str original):
        self.text, self.original = text, original
        self.text_known = self.original_known = False

    cdef const uint64_t* of(self, str where):
        if where is self.text:
            if not self.text_known:
                _characters(where, self.in_text)
                self.text_known = True
            return self.in_text
        if where is not self.original:
            raise ValueError("neither the text nor its original")
        if not self.original_known:
            _characters(where, self.in_original)
            self.original_known = True
        return self.in_original


cdef void _characters(str text, uint64_t* bits) noexcept:
    """The bits of a text's characters below 256 in bits[0:4]; bits[4] nonzero when it has
    one above."""
    cdef Py_ssize_t i, n = len(text)
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef unsigned int c  # not Py_UCS4, which Cython would shift as a one-letter string
    memset(bits, 0, 5 * sizeof(uint64_t))
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c < 256:
            bits[c >> 6] |= (<uint64_t> 1) << (c & 63)
        else:
            bits[4] = 1


cdef bint _class_bits(object cls, uint64_t* bits, str what) except -1:
    """A class of characters as bot.risk.scan.character_class writes it (256 bits and a
    byte) into four 64-bit words; returns its last byte: whether one above 256 may be in it."""
    if not isinstance(cls, bytes) or len(cls) != 33:
        raise ValueError(f"{what}: a class is 256 bits and a byte")
    cdef const unsigned char* raw = <bytes> cls
    cdef int c
    for c in range(256):
        if raw[c >> 3] >> (c & 7) & 1:
            bits[c >> 6] |= (<uint64_t> 1) << (c & 63)
    return raw[32] != 0


# A searched regex is matched at the characters that can begin a match while they are at most
# one in this many of the text's; with more, one search (which tries every position, but
# without a call each) is faster.
cdef enum:
    _FIRST_SHARE = 16


cdef class ScanCore:
    """Tries a plan's live patterns (see bot.risk.scan.Scanner, whose `compiled` it calls for
    a regex not yet compiled)."""

    cdef bytes flags
    cdef Py_ssize_t n_patterns
    cdef int* spans
    cdef tuple prefilters
    cdef list regexes
    cdef object compile
    # Per pattern with a prefilter: its characters below 256, four 64-bit words of bits, and
    # whether it may match one above (then the regex decides for a text that has one).
    cdef uint64_t* classes
    cdef unsigned char* beyond
    # Per searched pattern whose matches can begin only with some characters: those below
    # 256, as classes are, and whether one above may (first_kind 2) or not (1); 0: unknown.
    cdef uint64_t* first_bits
    cdef unsigned char* first_kind

    def __cinit__(self):
        self.spans = NULL
        self.classes = NULL
        self.beyond = NULL
        self.first_bits = NULL
        self.first_kind = NULL

    def __init__(
        self, bytes flags, list spans, list prefilters, list compiled, object compile,
        list classes, list firsts,
    ):
        if self.flags is not None:
            raise TypeError("a ScanCore is initialised once")
        if not (
            len(prefilters) == len(compiled) == len(spans) == len(flags) == len(classes)
            == len(firsts)
        ):
            raise ValueError("one flag, span, prefilter, class, first and regex slot per pattern")
        cdef Py_ssize_t k, size = max(len(classes), 1)
        self.spans = <int*> malloc(size * sizeof(int))
        self.classes = <uint64_t*> calloc(size * 4, sizeof(uint64_t))
        self.beyond = <unsigned char*> calloc(size, 1)
        self.first_bits = <uint64_t*> calloc(size * 4, sizeof(uint64_t))
        self.first_kind = <unsigned char*> calloc(size, 1)
        if (
            self.spans == NULL or self.classes == NULL or self.beyond == NULL
            or self.first_bits == NULL or self.first_kind == NULL
        ):
            raise MemoryError()
        for k in range(len(classes)):
            if (classes[k] is None) != (prefilters[k] is None):
                raise ValueError(f"pattern {k}: a class of characters for each prefilter")
            if classes[k] is not None:
                self.beyond[k] = _class_bits(classes[k], self.classes + 4 * k, f"pattern {k}")
            if firsts[k] is not None:
                self.first_kind[k] = 1 + _class_bits(
                    firsts[k], self.first_bits + 4 * k, f"pattern {k}'s first characters"
                )
        for k in range(len(spans)):
            if spans[k] < 0:
                raise ValueError(f"pattern {k}: a span of {spans[k]} words")
            self.spans[k] = spans[k]
        self.flags = flags
        self.n_patterns = len(flags)
        self.prefilters = tuple(prefilters)
        # Shared with the Scanner, which fills it as regexes are compiled: read with a check.
        self.regexes = compiled
        self.compile = compile

    def __dealloc__(self):
        free(self.spans)
        free(self.classes)
        free(self.beyond)
        free(self.first_bits)
        free(self.first_kind)

    cdef bint _prefiltered(self, int k, str where, _Chars chars) except -1:
        """Whether pattern k's prefilter rules out the text: none of its characters is there
        (the bits of the text's characters below 256, or its regex for one above)."""
        cdef const uint64_t* cls = self.classes + 4 * k
        cdef const uint64_t* have
        if self.prefilters[k] is None:
            return False
        have = chars.of(where)
        if (cls[0] & have[0]) | (cls[1] & have[1]) | (cls[2] & have[2]) | (cls[3] & have[3]):
            return False
        if self.beyond[k] and have[4]:
            return self.prefilters[k].search(where) is None
        return True

    cdef object _at_firsts(self, int k, object rx, str where, bint first):
        """Pattern k's matches in `where` as rx.finditer finds them (the first only, or False
        for none, when `first`), with rx.match tried only at the characters a match can begin
        with; None when k's are not known or too many of the text's are such characters."""
        cdef int kind_of_first = self.first_kind[k]
        if kind_of_first == 0:
            return None
        cdef const uint64_t* bits = self.first_bits + 4 * k
        cdef bint beyond = kind_of_first == 2, candidate
        cdef Py_ssize_t n = len(where), i, count = 0, next_free = 0
        cdef Py_ssize_t most = n // _FIRST_SHARE + 1
        cdef int kind = PyUnicode_KIND(where)
        cdef void* data = PyUnicode_DATA(where)
        cdef unsigned int c  # not Py_UCS4, which Cython would shift as a one-letter string
        cdef Py_ssize_t* at = <Py_ssize_t*> malloc(most * sizeof(Py_ssize_t))
        if at == NULL:
            raise MemoryError()
        try:
            for i in range(n):
                c = PyUnicode_READ(kind, data, i)
                # Both branches C ints: a conditional expression of a uint64_t and a bint
                # would be made a Python object for every character.
                if c < 256:
                    candidate = (bits[c >> 6] >> (c & 63)) & 1
                else:
                    candidate = beyond
                if candidate:
                    if count == most:
                        return None
                    at[count] = i
                    count += 1
            # Every match is at least one character long, so finditer goes on where one ends.
            matches = []
            match = rx.match
            for i in range(count):
                if at[i] < next_free:
                    continue
                hit = match(where, at[i])
                if hit is not None:
                    if first:
                        return hit
                    matches.append(hit)
                    next_free = hit.end()
            return False if first else matches
        finally:
            free(at)

    def scan(self, NativePlan plan, str text, str original, list starts):
        """Per live pattern that matches, (its index, its matches): searched over the original
        text (flag 1) or the normalised text (flag 2), or matched at the few characters of
        it that can begin a match when that is known (see _at_firsts), else matched at the words where the plan
        lets it begin, every one of them (flag 4) or left to right without overlap, or at the
        words that begin with a digit, left to right (flag 16). A pattern
        whose matches span at most n words (its span) is not tried at a word unless the words
        it needs occur among the n from there, within the sentence for a pattern of the rule
        language (flag 8): its separators never cross the end of one."""
        if plan is None or plan.gate is None:
            raise TypeError("a NativePlan comes from GateCore.plan")
        if self.flags is None:
            raise TypeError("a ScanCore is initialised before use")
        cdef GateCore gate = plan.gate
        cdef Py_ssize_t n_words = len(plan.entries)
        if len(starts) != n_words:
            raise ValueError(f"{len(starts)} word starts for {n_words} words")
        if gate.n_patterns != self.n_patterns:
            raise ValueError("the plan is for another set of patterns")
        cdef bytes flags = self.flags
        cdef const unsigned char* flag = flags
        cdef list regexes = self.regexes
        cdef tuple live = tuple(plan.live)
        cdef const uint64_t* met = plan.met
        cdef Py_ssize_t i, j, total = 0, n = 0, p = 0, q, r, last, pos, next_free
        cdef int k, v, f
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef _Word entry
        cdef list found = []
        cdef list matches
        for i in range(n_words):
            total += (<_Word> plan.entries[i]).n_firsts
        # The starts are copied once: regexes and prefilters run Python code that could change
        # the list.
        cdef Py_ssize_t n_starts
        cdef Py_ssize_t* at = _word_starts(text, starts, &n_starts)
        if n_starts != n_words:
            free(at)
            raise ValueError(f"{n_starts} word starts for {n_words} words")
        # (pattern, word) pairs, sorted: each live pattern's words are then one ascending run.
        cdef long long* pairs = <long long*> malloc(max(total, 1) * sizeof(long long))
        cdef int* sentence_end = <int*> malloc(max(n_words, 1) * sizeof(int))
        cdef _Words words = _Words(plan.entries)
        cdef _Chars chars = _Chars(text, original)
        try:
            if pairs == NULL or sentence_end == NULL:
                raise MemoryError()
            _sentence_ends(text, at, n_words, sentence_end)
            for i in range(n_words):
                entry = <_Word> plan.entries[i]
                for j in range(entry.n_firsts):
                    v = entry.firsts[j]
                    if not _has_bit(met, v):
                        continue
                    k = gate.owner[v]
                    if self.spans[k]:
                        last = min(i + self.spans[k], sentence_end[i] if flag[k] & 8 else n_words)
                        if not words.near(gate, v, i, last):
                            continue
                    pairs[n] = ((<long long> k) << 32) | i
                    n += 1
            qsort(pairs, n, sizeof(long long), _ascending)
            for k in live:
                if not 0 <= k < self.n_patterns:
                    raise IndexError(f"pattern {k} out of range")
                while p < n and (pairs[p] >> 32) < k:
                    p += 1
                q = p
                while q < n and (pairs[q] >> 32) == k:
                    q += 1
                f = flag[k]
                where = original if f & 1 else text
                if not f & 19 and p == q:
                    continue
                if self._prefiltered(k, where, chars):
                    p = q
                    continue
                if k >= len(regexes):
                    raise IndexError(f"no regex slot for pattern {k}")
                rx = regexes[k]
                if rx is None:
                    rx = self.compile(k)
                if f & 3:
                    matches = self._at_firsts(k, rx, where, False)
                    if matches is None:
                        matches = list(rx.finditer(where))
                elif f & 16:
                    matches = []
                    match = rx.match
                    next_free = 0
                    for i in range(n_words):
                        pos = at[i]
                        if pos < next_free:
                            continue
                        if not Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, pos)):
                            continue
                        hit = match(text, pos)
                        if hit is not None:
                            matches.append(hit)
                            next_free = hit.end()
                else:
                    matches = []
                    match = rx.match
                    last = -1
                    next_free = 0
                    for r in range(p, q):
                        i = <Py_ssize_t> (pairs[r] & _LOW_WORD)
                        if i == last:  # another variant of k beginning at this word
                            continue
                        last = i
                        pos = at[i]
                        if pos < next_free:
                            continue
                        hit = match(text, pos)
                        if hit is not None:
                            matches.append(hit)
                            if not f & 4:
                                next_free = hit.end()
                p = q
                if matches:
                    found.append((k, matches))
            return found
        finally:
            free(at)
            free(pairs)
            free(sentence_end)

    def any_present(
        self, tuple ks, NativePlan plan, str text, str original, list starts, dict present
    ):
        """Whether any of the patterns `ks` (looked at on request: a rule's required context)
        matches somewhere, in order, stopping at the first that does; each answer is kept in
        `present`, per pattern, for the rest of the text."""
        if plan is None or plan.gate is None:
            raise TypeError("a NativePlan comes from GateCore.plan")
        if self.flags is None:
            raise TypeError("a ScanCore is initialised before use")
        if plan.gate.n_patterns != self.n_patterns:
            raise ValueError("the plan is for another set of patterns")
        cdef object k
        cdef PyObject* known
        cdef bint found
        cdef _Chars chars = _Chars(text, original)
        for k in ks:
            known = PyDict_GetItem(present, k)
            if known != NULL:
                found = (<object> known) is True
            else:
                found = self._present(k, plan, text, original, starts, chars)
                present[k] = found
            if found:
                return True
        return False

    cdef bint _present(
        self, int k, NativePlan plan, str text, str original, list starts, _Chars chars
    ) except -1:
        """Whether pattern k matches somewhere: searched like scan() does, or matched at the
        words where it may begin (plan.starts_of) with the words it needs within its span."""
        if not 0 <= k < self.n_patterns:
            raise IndexError(f"pattern {k} out of range")
        cdef int f = (<const unsigned char*> self.flags)[k]
        if not plan._needs_met(k):
            return False
        where = original if f & 1 else text
        if self._prefiltered(k, where, chars):
            return False
        if k >= len(self.regexes):
            raise IndexError(f"no regex slot for pattern {k}")
        rx = self.regexes[k]
        if rx is None:
            rx = self.compile(k)
        if f & 19:
            hit = self._at_firsts(k, rx, where, True)
            return rx.search(where) is not None if hit is None else hit is not False
        cdef GateCore gate = plan.gate
        cdef int first = gate.variant_start[k], last = gate.variant_start[k + 1], v, j
        cdef Py_ssize_t i, n_words = len(plan.entries), span = self.spans[k]
        for v in range(first, last):
            if gate.exact[v] and plan._variant_met(v):
                return True
        cdef tuple values = tuple(starts)
        if len(values) != n_words:
            raise ValueError(f"{len(values)} word starts for {n_words} words")
        cdef _Words words = _Words(plan.entries)
        cdef _Word entry
        match = rx.match
        for i in range(n_words):
            entry = <_Word> plan.entries[i]
            for j in range(entry.n_firsts):
                v = entry.firsts[j]
                if not first <= v < last or not plan._variant_met(v):
                    continue
                if span and not words.near(gate, v, i, min(i + span, n_words)):
                    continue
                if match(text, values[i]) is not None:
                    return True
                break  # tried at this word
        return False


cdef enum:
    _KEY_MAX = 32  # longer words are remembered in a dict (see LexiconCore._word)
    _INLINE_ROWS = 16
    _MAX_HEADS = 8


cdef class _Rows:
    """A word's own feature rows (ascending, each once) and their sum per head, and its
    number among the words that begin a word pair and among those that end one (-1: none)."""

    cdef int* rows
    cdef int n_rows
    cdef int first_id, second_id
    cdef bint evidence  # whether the word may be shown as evidence (not a function word)
    cdef double sums[_MAX_HEADS]

    def __dealloc__(self):
        free(self.rows)


cdef struct _Slot:
    # A remembered word in 192 bytes, found by its folded letters without a Python string.
    uint64_t hash
    int* more  # its rows when there are more than _INLINE_ROWS, else NULL
    uint16_t length  # 0: the slot is empty
    uint16_t n_rows
    int first_id, second_id  # as _Rows has them
    char key[_KEY_MAX]
    int rows[_INLINE_ROWS]
    uint8_t evidence  # as _Rows has it
    double sums[_MAX_HEADS]


cdef struct _PairSlot:
    # A word pair: (its first word's id + 1) << 32 | its second word's id (0: empty), its row.
    uint64_t key
    int row


ctypedef fused _AnySlot:
    _Slot
    _WordSlot


cdef _AnySlot* _zeroed(_AnySlot* like, Py_ssize_t capacity) except NULL:
    """A table of `capacity` empty slots of like's kind, aligned with cache lines."""
    cdef _AnySlot* slots = <_AnySlot*> aligned_alloc(64, capacity * sizeof(like[0]))
    if slots == NULL:
        raise MemoryError()
    memset(slots, 0, capacity * sizeof(like[0]))
    return slots


cdef inline _AnySlot* _probe(
    _AnySlot* slots, Py_ssize_t capacity, const unsigned char* key, int length, uint64_t hash
) noexcept:
    """The word's slot in an open-addressed table, or the empty slot where it belongs."""
    cdef Py_ssize_t mask = capacity - 1
    cdef Py_ssize_t i = hash & mask
    cdef _AnySlot* slot
    while True:
        slot = slots + i
        if slot.length == 0 or (
            slot.hash == hash and slot.length == length and memcmp(slot.key, key, length) == 0
        ):
            return slot
        i = (i + 1) & mask


cdef _AnySlot* _doubled(_AnySlot* old, Py_ssize_t n) except NULL:
    """A table of 2n slots holding every word of the n in `old`, which is freed."""
    cdef _AnySlot* slots = _zeroed(old, 2 * n)
    cdef Py_ssize_t i
    for i in range(n):
        if old[i].length:
            memcpy(
                _probe(slots, 2 * n, <unsigned char*> old[i].key, old[i].length, old[i].hash),
                &old[i], sizeof(old[0]),
            )
    free(old)
    return slots


cdef class _Seen:
    """The rows a text has, one bit each."""

    cdef uint64_t* bits

    def __cinit__(self, int n_rows):
        self.bits = <uint64_t*> calloc(max((n_rows + 63) // 64, 1), sizeof(uint64_t))
        if self.bits == NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.bits)

    cdef inline bint has(self, int r) noexcept:
        return (self.bits[r >> 6] >> (r & 63)) & 1

    cdef inline void add(self, int r) noexcept:
        self.bits[r >> 6] |= (<uint64_t> 1) << (r & 63)


cdef inline Py_ssize_t _next_word(
    const unsigned char* spaced, Py_ssize_t n, Py_ssize_t* end, uint64_t* hash
) noexcept:
    """Where the next word of spaced[0:n] (a space at n, see LexiconCore._spaced) from *end
    on begins, with its end in *end and its FNV-1a hash in *hash; -1 when there is none."""
    cdef Py_ssize_t i = end[0], start
    cdef uint64_t h = _FNV_OFFSET
    while i < n and spaced[i] == 32:
        i += 1
    if i >= n:
        return -1
    start = i
    while spaced[i] != 32:
        h = (h ^ spaced[i]) * _FNV_PRIME
        i += 1
    end[0], hash[0] = i, h
    return start


cdef class LexiconCore:
    """The lexicon's weights as one C array (see bot.risk.learned.Lexicon, whose `own_rows`
    it calls for a word it has not seen, after `collapse` has shortened its stretched
    letters). Texts are split and their words looked up in one pass (text_probabilities).

    A text's score is its features' rows summed, each once. A word's own rows are summed
    when it is first seen; a text adds a word's sum, takes back the rows an earlier word
    already counted, and skips a word whose rows were all counted: some thirty sums read
    instead of two hundred rows scattered over megabytes. Lexicon.python_probabilities adds
    in the same order, so the two give the same floats."""

    cdef double* weights
    cdef double* bias
    cdef int n_rows, n_heads, stride
    cdef dict words, first_ids, second_ids
    cdef frozenset not_evidence
    cdef object own, collapse, blanks
    cdef bytes letters
    cdef Py_ssize_t limit
    # The words seen, in an open-addressed table of slots. A Python dict of strings costs
    # five cache misses a word (hash table, key, entry object, its rows) once the rules' work
    # has pushed them out of the cache.
    cdef _Slot* slots
    cdef Py_ssize_t capacity, most, used
    # The word pairs, by the numbers of their words, in an open-addressed table: a dict of
    # tuples of strings costs a tuple and as many misses a lookup, twenty lookups a comment.
    cdef _PairSlot* pair_slots
    cdef uint64_t pair_mask

    def __cinit__(self):
        self.weights = self.bias = NULL
        self.slots = NULL
        self.pair_slots = NULL

    def __init__(
        self, object weights, object bias, dict pairs, object own, object collapse,
        Py_ssize_t limit, bytes letters, object blanks, frozenset not_evidence,
    ):
        cdef const double[:, ::1] w = weights
        cdef const double[::1] b = bias
        cdef Py_ssize_t r
        if self.weights != NULL:
            raise TypeError("a LexiconCore is initialised once")
        if len(letters) != 256 or any(c >= 128 for c in letters):
            raise ValueError("letters: an ASCII letter or space per Latin-1 character")
        for pair, row in pairs.items():
            if not (
                isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)
                and isinstance(pair[1], str) and 0 <= row < w.shape[0]
            ):
                raise ValueError(f"word pair {pair!r} (row {row}) is not a pair of words")
        self.n_rows, self.n_heads = w.shape[0], w.shape[1]
        if b.shape[0] != self.n_heads:
            raise ValueError("one bias per head")
        if self.n_heads > _MAX_HEADS:
            raise ValueError(f"at most {_MAX_HEADS} heads")
        # A row is padded to whole cache lines and aligned with them: a row across two lines
        # costs two misses.
        self.stride = _MAX_HEADS
        self.weights = <double*> aligned_alloc(
            64, max(self.n_rows * self.stride, 8) * sizeof(double)
        )
        self.bias = <double*> malloc(max(self.n_heads, 1) * sizeof(double))
        if self.weights == NULL or self.bias == NULL:
            raise MemoryError()
        memset(self.weights, 0, max(self.n_rows * self.stride, 8) * sizeof(double))
        for r in range(self.n_rows):
            memcpy(self.weights + r * self.stride, &w[r, 0], self.n_heads * sizeof(double))
        for j in range(self.n_heads):
            self.bias[j] = b[j]
        self.first_ids, self.second_ids = {}, {}
        for first, second in pairs:
            self.first_ids.setdefault(first, len(self.first_ids))
            self.second_ids.setdefault(second, len(self.second_ids))
        self._pair_table(pairs)
        self.own = own
        self.collapse = collapse
        self.limit = limit
        self.words = {}
        self.letters = letters
        self.blanks = blanks
        self.not_evidence = not_evidence
        self.most = _most_slots(limit)  # at most 12 MB
        self._empty_table(min(self.most, 4096))

    def __dealloc__(self):
        free(self.weights)
        free(self.bias)
        self._free_rows()
        free(self.slots)
        free(self.pair_slots)

    cdef int _pair_table(self, dict pairs) except -1:
        """The pairs' rows in a table of at least twice as many slots (a power of two)."""
        cdef uint64_t capacity = 16, key
        cdef _PairSlot* slot
        while capacity < 2 * <uint64_t> len(pairs):
            capacity *= 2
        self.pair_slots = <_PairSlot*> calloc(capacity, sizeof(_PairSlot))
        if self.pair_slots == NULL:
            raise MemoryError()
        self.pair_mask = capacity - 1
        for (first, second), row in pairs.items():
            key = (<uint64_t> (<int> self.first_ids[first] + 1)) << 32 | <int> self.second_ids[second]
            slot = self._pair_slot(key)
            slot.key, slot.row = key, row
        return 0

    cdef inline _PairSlot* _pair_slot(self, uint64_t key) noexcept:
        """The pair's slot, or the empty slot where it belongs."""
        cdef uint64_t i = (key * 0x9E3779B97F4A7C15ULL) >> 40 & self.pair_mask
        while self.pair_slots[i].key != 0 and self.pair_slots[i].key != key:
            i = (i + 1) & self.pair_mask
        return self.pair_slots + i

    cdef inline int _pair_row(self, int first_id, int second_id) noexcept:
        """The row of the pair of these words (by their numbers), or -1 when not a feature."""
        if first_id < 0 or second_id < 0:
            return -1
        cdef _PairSlot* slot = self._pair_slot((<uint64_t> (first_id + 1)) << 32 | second_id)
        return slot.row if slot.key != 0 else -1

    cdef void _free_rows(self) noexcept:
        cdef Py_ssize_t i
        if self.slots != NULL:
            for i in range(self.capacity):
                free(self.slots[i].more)

    cdef int _empty_table(self, Py_ssize_t capacity) except -1:
        """A new empty table of `capacity` slots (a power of two), the old one freed."""
        cdef _Slot* slots = _zeroed(self.slots, capacity)
        self._free_rows()
        free(self.slots)
        self.slots, self.capacity, self.used = slots, capacity, 0
        return 0

    cdef inline _Slot* _find(self, const unsigned char* key, int length, uint64_t hash) noexcept:
        """The word's slot, or the empty slot where it belongs."""
        return _probe(self.slots, self.capacity, key, length, hash)

    cdef void _sum_rows(self, const int* rows, int n, double* sums) noexcept:
        """The rows added one after another, in the order given, from zero."""
        cdef int i, j
        cdef const double* row
        for j in range(_MAX_HEADS):
            sums[j] = 0.0
        for i in range(n):
            row = self.weights + rows[i] * self.stride
            for j in range(self.n_heads):
                sums[j] += row[j]

    cdef int _learn(self, const unsigned char* key, int length, uint64_t hash) except -1:
        """Work out a word's rows (in Python) and keep them, with their sums, in its slot."""
        word = self.collapse(PyUnicode_DecodeASCII(<char*> key, length, NULL))
        cdef int n
        cdef int* rows = _unique_array(self.own(word), self.n_rows, &n)
        cdef int first_id = self.first_ids.get(word, -1), second_id = self.second_ids.get(word, -1)
        cdef bint evidence = word not in self.not_evidence
        cdef _Slot* slot
        # No Python code runs from here on: another thread cannot change the table meanwhile.
        try:
            if (self.used + 1) * 2 > self.capacity:
                if self.capacity < self.most:
                    self.slots = _doubled(self.slots, self.capacity)
                    self.capacity *= 2
                else:
                    self._empty_table(self.capacity)
        except BaseException:
            free(rows)
            raise
        slot = self._find(key, length, hash)
        slot.hash, slot.length, slot.n_rows = hash, length, n
        slot.first_id, slot.second_id, slot.evidence = first_id, second_id, evidence
        memcpy(slot.key, key, length)
        self._sum_rows(rows, n, slot.sums)
        if n > _INLINE_ROWS:
            slot.more = rows
        else:
            memcpy(slot.rows, rows, n * sizeof(int))
            free(rows)
        self.used += 1
        return 0

    cdef _Rows _word(self, str word):
        cdef PyObject* found = PyDict_GetItem(self.words, word)
        if found != NULL:
            return <_Rows> found
        cdef _Rows entry = _Rows.__new__(_Rows)
        collapsed = self.collapse(word)
        entry.rows = _unique_array(self.own(collapsed), self.n_rows, &entry.n_rows)
        entry.first_id = self.first_ids.get(collapsed, -1)
        entry.second_id = self.second_ids.get(collapsed, -1)
        entry.evidence = collapsed not in self.not_evidence
        self._sum_rows(entry.rows, entry.n_rows, entry.sums)
        _remember(self.words, self.limit, word, entry)
        return entry

    cdef void _count(
        self, double* z, const int* rows, int n, const double* sums, _Seen seen
    ) noexcept:
        """Add a word's sums unless all its rows are counted already, then take back the rows
        an earlier word counted (ascending) and mark the others counted."""
        cdef int i, j, r
        cdef const double* row
        for i in range(n):
            if not seen.has(rows[i]):
                break
        else:
            return
        for j in range(self.n_heads):
            z[j] += sums[j]
        for i in range(n):
            r = rows[i]
            if seen.has(r):
                row = self.weights + r * self.stride
                for j in range(self.n_heads):
                    z[j] -= row[j]
            else:
                seen.add(r)

    cdef void _count_pair(self, double* z, int r, _Seen seen) noexcept:
        """Add a word pair's row unless counted already."""
        cdef int j
        cdef const double* row
        if seen.has(r):
            return
        seen.add(r)
        row = self.weights + r * self.stride
        for j in range(self.n_heads):
            z[j] += row[j]

    cdef unsigned char* _spaced(self, str text, bint* wide_letter) except NULL:
        """The text as one byte per character, the ASCII letter or space `letters` says for
        a Latin-1 character, a space for one beyond that `blanks` makes one, and a space at
        the end; or, when a character beyond Latin-1 is a letter, `wide_letter` set and the
        rest not filled in. The caller frees it."""
        cdef const unsigned char* letter = self.letters
        cdef Py_ssize_t n = len(text), i
        cdef int kind = PyUnicode_KIND(text)
        cdef void* data = PyUnicode_DATA(text)
        cdef Py_UCS4 c
        cdef unsigned char* spaced = <unsigned char*> malloc(n + 1)
        if spaced == NULL:
            raise MemoryError()
        try:
            for i in range(n):
                c = PyUnicode_READ(kind, data, i)
                if c < 256:
                    spaced[i] = letter[c]
                elif PyObject_GetItem(self.blanks, chr(c)) == " ":
                    spaced[i] = 32
                else:
                    wide_letter[0] = True
                    break
            else:
                spaced[n] = 32
        except BaseException:
            free(spaced)
            raise
        return spaced

    cdef _Slot* _slot(self, const unsigned char* key, int length, uint64_t hash) except NULL:
        """The slot of a word of at most _KEY_MAX letters, learned if new."""
        cdef _Slot* slot = self._find(key, length, hash)
        if slot.length == 0:
            self._learn(key, length, hash)
            slot = self._find(key, length, hash)
        return slot

    def text_probabilities(self, str text):
        """probabilities(stretched_words(text)) in one pass over the text (see _spaced); None
        when a character beyond Latin-1 is a letter: then Python folds the text."""
        cdef Py_ssize_t n = len(text), start, end = 0
        cdef bint wide_letter = False
        cdef unsigned char* spaced = self._spaced(text, &wide_letter)
        cdef uint64_t hash
        cdef int length, row, previous = -1  # the previous word's first_id
        cdef _Slot* slot
        cdef _Rows entry
        cdef _Seen seen
        cdef double z[_MAX_HEADS]
        try:
            if wide_letter:
                return None
            seen = _Seen(self.n_rows)
            memset(z, 0, sizeof(z))
            while True:
                start = _next_word(spaced, n, &end, &hash)
                if start < 0:
                    break
                length = end - start
                if length > _KEY_MAX:
                    entry = self._word(PyUnicode_DecodeASCII(<char*> spaced + start, length, NULL))
                    self._count(z, entry.rows, entry.n_rows, entry.sums, seen)
                    row = self._pair_row(previous, entry.second_id)
                    previous = entry.first_id
                else:
                    slot = self._slot(spaced + start, length, hash)
                    self._count(
                        z, slot.more if slot.more != NULL else &slot.rows[0], slot.n_rows,
                        slot.sums, seen,
                    )
                    row = self._pair_row(previous, slot.second_id)
                    previous = slot.first_id
                if row >= 0:
                    self._count_pair(z, row, seen)
            return self._probabilities(z)
        finally:
            free(spaced)

    def word_weights(self, str text, int column):
        """(weight, start, end) per word of the text that may be evidence and whose own
        features weigh for head `column` (their sum, as Lexicon._word_weights gives it, is
        positive), in the order of the text; None as for text_probabilities."""
        if not 0 <= column < self.n_heads:
            raise IndexError(f"head {column} out of range")
        cdef Py_ssize_t n = len(text), start, end = 0
        cdef bint wide_letter = False
        cdef unsigned char* spaced = self._spaced(text, &wide_letter)
        cdef uint64_t hash
        cdef int length
        cdef double weight
        cdef bint evidence
        cdef _Slot* slot
        cdef _Rows entry
        cdef list out = []
        try:
            if wide_letter:
                return None
            while True:
                start = _next_word(spaced, n, &end, &hash)
                if start < 0:
                    break
                length = end - start
                if length > _KEY_MAX:
                    entry = self._word(PyUnicode_DecodeASCII(<char*> spaced + start, length, NULL))
                    weight, evidence = entry.sums[column], entry.evidence
                else:
                    slot = self._slot(spaced + start, length, hash)
                    weight, evidence = slot.sums[column], slot.evidence
                if evidence and weight > 0:
                    out.append((weight, start, end))
            return out
        finally:
            free(spaced)

    def probabilities(self, list words):
        """Probability per head for a text with these folded words (stretched letters not yet
        collapsed): 1 / (1 + exp(-clip(bias + the rows of its features, each counted once)))."""
        cdef _Rows entry
        cdef int row, previous = -1  # the previous word's first_id
        cdef _Seen seen = _Seen(self.n_rows)
        cdef double z[_MAX_HEADS]
        memset(z, 0, sizeof(z))
        for word in words:
            entry = self._word(word)
            self._count(z, entry.rows, entry.n_rows, entry.sums, seen)
            row = self._pair_row(previous, entry.second_id)
            if row >= 0:
                self._count_pair(z, row, seen)
            previous = entry.first_id
        return self._probabilities(z)

    cdef list _probabilities(self, const double* z):
        """1 / (1 + exp(-clip(bias + z)))."""
        cdef int j
        cdef double value
        out = []
        for j in range(self.n_heads):
            value = self.bias[j] + z[j]
            value = min(max(value, -30.0), 30.0)
            out.append(1.0 / (1.0 + exp(-value)))
        return out


cdef int* _unique_array(object values, int bound, int* size) except? NULL:
    """_int_array of the distinct values."""
    return _int_array(set(values), bound, size)

