"""The learned reader at run time: load the trained file, check it, read messages.

The file (`knowledge/reader/model.npz`, written by `run_bot.py train`) holds
plain arrays only, loaded with `allow_pickle=False`: the word and character
n-gram vocabularies with their IDF weights, and one linear model each for
crisis (logistic), topic and THRIVE grouping (multinomial), plus a JSON
header with the thresholds chosen on the validation split and the hash of
the data it was trained on. Loading refuses a file whose hash does not match
the corpus and slang list on disk, so a stale model can never run silently.

Reading is a sparse dot product: no I/O, nothing recomputed per message.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.learn import ModelError
from bot.learn.corpus import data_hash

FORMAT = 1
MODEL_PATH = Path("reader") / "model.npz"  # under the knowledge directory
CORPUS_DIR = Path("corpus")
HEADS = ("crisis", "topic", "grouping")
OFF = "\u2400"  # the only term of a switched-off featurizer: a symbol no normalised message holds


@dataclass(frozen=True)
class Reading:
    crisis: float  # probability that the message needs urgent help
    topics: Mapping[str, float]  # probability of each topic being the main need
    groupings: Mapping[str, float]  # probability of each THRIVE grouping


@dataclass(frozen=True)
class Settings:
    """What the trainer chose on the validation split, kept in the file's header."""

    ask_threshold: float  # crisis probability from which the bot asks the safety question
    yes_threshold: float  # crisis probability from which the bot shows urgent help
    short_yes_threshold: float  # the same for messages of one or two words ("took pills", "and again")
    # In a question ("what does unalive mean?") a lexicon "yes" below this
    # probability is let go: people asking about words and procedures.
    question_veto: float
    # In any message of three words or more, a lexicon "yes" below this
    # probability becomes the safety question instead: the reader is sure it is
    # calm (a death by overdose years ago, "cut her hair short", self-harm long
    # stopped), so the person is asked, never told it is an emergency, nor ignored.
    lexicon_veto: float
    # A lexicon "ask" below this probability is let go: the reader is sure the
    # message is calm (a parent asking what slang means, a song, training).
    lexicon_floor: float
    topic_weight: float  # share of the learned ranking when combined with the lexicon's
    grouping_weight: float  # likewise for the THRIVE grouping
    journey_threshold: float  # risk carried across one journey's messages that brings the question
    journey_decay: float  # how much of the carried risk the next message keeps

    @classmethod
    def neutral(cls) -> Settings:
        """Placeholder settings for a reader whose thresholds are not chosen yet (training, comparing)."""
        return cls(ask_threshold=0.5, yes_threshold=0.5, short_yes_threshold=0.5, question_veto=0.0, lexicon_veto=0.0,
                   lexicon_floor=0.0, topic_weight=1.0, grouping_weight=1.0, journey_threshold=1.0,
                   journey_decay=0.5)


def vectorizers(params: Mapping[str, object]) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """The two featurizers (words, characters) with the trainer's settings."""
    def one(analyzer: str, ngrams) -> TfidfVectorizer:
        off = {"vocabulary": [OFF]} if ngrams[0] == 0 else {}  # a half switched off (compared in training)
        words = {"token_pattern": r"\S+"} if analyzer == "word" else {}
        return TfidfVectorizer(analyzer=analyzer, ngram_range=tuple(ngrams) if not off else (1, 1),
                               sublinear_tf=True, min_df=int(params["min_df"]), dtype=np.float32, **words, **off)

    return one("word", params["word_ngrams"]), one("char_wb", params["char_ngrams"])


class LearnedReader:
    def __init__(self, arrays: Mapping[str, np.ndarray], header: dict):
        self.header = header
        self.settings = Settings(**header["settings"])
        self.audiences: tuple[str, ...] = tuple(header["audiences"])
        self._audience_row = {a: i for i, a in enumerate(self.audiences)}
        self.topics: tuple[str, ...] = tuple(header["topics"])
        self.groupings: tuple[str, ...] = tuple(header["groupings"])
        self._word, self._char = vectorizers(header["features"])
        for vec, name in ((self._word, "word"), (self._char, "char")):
            vocab = arrays[f"{name}_vocab"]
            vec.vocabulary = {str(term): i for i, term in enumerate(vocab)}
            vec.idf_ = arrays[f"{name}_idf"].astype(np.float64)
            vec._validate_vocabulary()  # the fixed vocabulary is checked once, here, not per message
        # One weight matrix for all three heads: a message is multiplied once.
        self._weights = np.vstack([arrays[f"{h}_coef"] for h in HEADS]).astype(np.float32).T.copy()
        self._bias = np.concatenate([arrays[f"{h}_bias"] for h in HEADS]).astype(np.float32)
        self._audience_weights = np.vstack([arrays[f"{h}_audience"] for h in HEADS]).astype(np.float32).T.copy()
        self._slices = _head_slices([1, len(self.topics), len(self.groupings)])
        expected = len(self._word.vocabulary) + len(self._char.vocabulary)
        if self._weights.shape[0] != expected:
            raise ModelError(f"model file is inconsistent: {self._weights.shape[0]} weights for {expected} features")

    @classmethod
    def load(cls, knowledge_dir: Path, spellings: Mapping[str, str]) -> LearnedReader:
        path = knowledge_dir / MODEL_PATH
        if not path.exists():
            raise ModelError(f"{path}: the learned reader is missing; build it with `python run_bot.py train`")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
            header = json.loads(str(arrays.pop("header")))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{path}: cannot read the learned reader ({exc}); rebuild it with "
                             "`python run_bot.py train`") from None
        if header.get("format") != FORMAT:
            raise ModelError(f"{path}: format {header.get('format')!r}, this code reads format {FORMAT}; "
                             "rebuild it with `python run_bot.py train`")
        expected = data_hash(knowledge_dir / CORPUS_DIR, spellings)
        if header.get("data_hash") != expected:
            raise ModelError(
                f"{path}: trained on data {str(header.get('data_hash'))[:12]}, but the corpus and slang list on "
                f"disk are {expected[:12]}: the model does not match its data. Retrain with "
                "`python run_bot.py train` (it takes about a minute) and commit the new file.")
        try:
            return cls(arrays, header)
        except KeyError as exc:
            raise ModelError(f"{path}: missing array {exc}; rebuild it with `python run_bot.py train`") from None

    def read(self, text: str, audience: str | None) -> Reading:
        """`text` is the normalised message (tokens joined by spaces)."""
        return self.read_many([text], [audience])[0]

    def read_many(self, texts: Sequence[str], audiences: Sequence[str | None]) -> list[Reading]:
        scores = self._scores(texts, audiences)
        crisis_s, topic_s, group_s = (scores[:, s] for s in self._slices)
        crisis_p = 1.0 / (1.0 + np.exp(-crisis_s[:, 0]))
        topic_p, group_p = _softmax(topic_s), _softmax(group_s)
        return [Reading(float(crisis_p[i]), dict(zip(self.topics, topic_p[i].tolist())),
                        dict(zip(self.groupings, group_p[i].tolist())))
                for i in range(len(texts))]

    def _scores(self, texts: Sequence[str], audiences: Sequence[str | None]) -> np.ndarray:
        features = hstack([self._word.transform(texts), self._char.transform(texts)], format="csr")
        scores = np.asarray(features @ self._weights) + self._bias
        for i, audience in enumerate(audiences):
            row = self._audience_row.get(audience)
            if row is not None:
                scores[i] += self._audience_weights[row]
        return scores


def _head_slices(sizes: list[int]) -> list[slice]:
    out, start = [], 0
    for n in sizes:
        out.append(slice(start, start + n))
        start += n
    return out


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
