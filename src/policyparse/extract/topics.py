"""Topics of a task: the kind of work (责任落实, 隐患排查治理 …) and the hazard or subject
domain (危险化学品, 消防 …) it concerns, from the taxonomies under ``gazetteers/topics/``.

A keyword counts only as a whole word of the task's text. The text is cut by jieba
whose user dictionary holds every keyword and every unit name of ``units.yaml``, so
a word is read whole (消防安全, 消防救援大队) and 消防 inside another word does not
count; the spans of the task's units are blanked first, so a unit's name
(区消防救援大队牵头) says nothing about the work.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from math import log
from pathlib import Path

from ..components import component
from ..gazetteer import alternation, gazetteer_dir, load_yaml
from ..model import Document

FOLDER = "topics"
# keywords are dictionary words of their own, above jieba's own words that contain them
KEYWORD_FREQ = 200_000
# characters of context on each side of a keyword that jieba cuts to see if it is a word
KEYWORD_WINDOW = 8


@dataclass(frozen=True)
class Taxonomy:
    sector: str
    work_types: tuple[tuple[str, frozenset[str]], ...]  # (topic, keywords) in file order
    hazards: tuple[tuple[str, frozenset[str]], ...]


@functools.lru_cache(maxsize=1)
def taxonomies() -> tuple[Taxonomy, ...]:
    """Every sector file of gazetteers/topics/, in name order."""
    out = []
    for path in sorted((gazetteer_dir() / FOLDER).glob("*.yaml")):
        data = load_yaml(f"{FOLDER}/{path.name}")
        out.append(Taxonomy(
            data["sector"],
            tuple((k, frozenset(v)) for k, v in data["work_types"].items()),
            tuple((k, frozenset(v)) for k, v in data["hazards"].items())))
    return tuple(out)


def _cache_dir() -> str:
    """Where jieba keeps its prefix-dictionary cache: the user's cache, else the temp folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "policyparse" / "jieba"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return str(path)
    except OSError:
        return tempfile.gettempdir()


def _jieba_tokenizer_class():
    """jieba's Tokenizer with its two hot loops (the word graph of a stretch and the best
    route through it) written for speed, with the same results: the same graph, the same
    sums in the same order, the same tie-breaking (the first best, as ``max`` keeps).
    log(frequency) is kept per word, and forgotten whenever the dictionary changes."""
    import jieba

    class FastTokenizer(jieba.Tokenizer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._log_freq: dict[str, float] = {}

        def add_word(self, word, freq=None, tag=None):
            self._log_freq.clear()
            return super().add_word(word, freq, tag)

        def initialize(self, dictionary=None):
            self._log_freq = {}
            return super().initialize(dictionary)

        def get_DAG(self, sentence):
            self.check_initialized()
            freq = self.FREQ
            dag = {}
            n = len(sentence)
            for k in range(n):
                ends = []
                i = k
                frag = sentence[k]
                while i < n:
                    f = freq.get(frag)  # jieba: `frag in FREQ`, then FREQ[frag] truthy
                    if f is None:
                        break
                    if f:
                        ends.append(i)
                    i += 1
                    frag = sentence[k:i + 1]
                if not ends:
                    ends.append(k)
                dag[k] = ends
            return dag

        def calc(self, sentence, DAG, route):
            n = len(sentence)
            route[n] = (0, 0)
            logtotal = log(self.total)
            log_freq = self._log_freq
            freq = self.FREQ
            for idx in range(n - 1, -1, -1):
                best = None
                for x in DAG[idx]:
                    word = sentence[idx:x + 1]
                    lf = log_freq.get(word)
                    if lf is None:
                        lf = log_freq[word] = log(freq.get(word) or 1)
                    cand = (lf - logtotal + route[x + 1][0], x)
                    if best is None or cand > best:
                        best = cand
                route[idx] = best

    return FastTokenizer


@functools.lru_cache(maxsize=1)
def tokenizer():
    """A jieba tokenizer with the keywords and the unit lexicon in its dictionary (no download:
    jieba's dictionary ships in its wheel)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = _jieba_tokenizer_class()()
    tok.tmp_dir = _cache_dir()
    tok.initialize()
    units = load_yaml("units.yaml")
    for name in [*units["aliases"], *units["aliases"].values(), *(units.get("whole") or {})]:
        tok.add_word(name, freq=KEYWORD_FREQ)
    for tax in taxonomies():
        for _topic, words in (*tax.work_types, *tax.hazards):
            for w in words:
                tok.add_word(w, freq=KEYWORD_FREQ)
    return tok


@functools.lru_cache(maxsize=1)
def _keyword_rx() -> re.Pattern:
    # a lookahead, so keywords that overlap (强化工贸: 化工 and 工贸) are all tried; the
    # class of first characters before it turns most positions away in one test instead of
    # trying the whole alternation there (a third of the time, the same matches)
    keywords = {w for tax in taxonomies() for _t, kws in (*tax.work_types, *tax.hazards) for w in kws}
    if not keywords:
        return re.compile(r"(?!)")  # no taxonomy: no topic
    firsts = "".join(sorted({re.escape(w[0]) for w in keywords}))
    return re.compile(f"(?=[{firsts}])(?=(" + alternation(keywords) + "))")


def _whole_words(text: str) -> set[str]:
    """The keywords that stand in ``text`` as whole words. jieba cuts only the stretches
    around the places a keyword's characters occur (the words around a keyword decide
    whether it is a word of its own), each stretch once: the same answer as cutting the
    whole text, in a fraction of the time."""
    hits = [(m.start(), m.group(1)) for m in _keyword_rx().finditer(text)]
    if not hits:
        return set()
    # the windows around the hits, merged where they overlap
    spans: list[list[int]] = []
    for start, keyword in hits:
        lo, hi = max(0, start - KEYWORD_WINDOW), min(len(text), start + len(keyword) + KEYWORD_WINDOW)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    tok = tokenizer()
    words_at: dict[int, str] = {}
    for lo, hi in spans:
        pos = lo
        # HMM off: it only guesses unknown words, and no keyword is unknown to the dictionary
        for word in tok.cut(text[lo:hi], HMM=False):
            words_at[pos] = word
            pos += len(word)
    return {keyword for start, keyword in hits if words_at.get(start) == keyword}


def topics_of(text: str) -> tuple[list[str], list[str]]:
    """``(work types, hazards)`` whose keywords stand in ``text`` as whole words."""
    words = _whole_words(text)
    work, hazards = [], []
    for tax in taxonomies():
        work += [t for t, kws in tax.work_types if kws & words and t not in work]
        hazards += [t for t, kws in tax.hazards if kws & words and t not in hazards]
    return work, hazards


@component("topics", stage="extract", requires=("text", "tasks"), assigns=("tasks.topics", "tasks.hazards"))
def topics_step(doc: Document) -> None:
    """Each task's work types and hazard domains (gazetteers/topics/), matched on jieba words."""
    for t in doc.tasks:
        chars = list(doc.text[t.start:t.end])
        for u in t.units:  # a unit's name says nothing about the work
            for i in range(max(u.start, t.start), min(u.end, t.end)):
                chars[i - t.start] = " "
        t.topics, t.hazards = topics_of("".join(chars))
