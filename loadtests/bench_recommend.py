"""Offline benchmark of the recommendations: the item-to-item model against the popularity baseline.

    python -m loadtests.bench_recommend [--users 5000] [--holdout 2] [--k 5] [--seed 17]

Synthetic moviegoers with taste clusters (seatcore.demo.moviegoers, the demo's own) act on the
demo's films over 30 days. For each one the last ``--holdout`` acts are held out; the model is
trained on everything else (everyone's earlier acts), each moviegoer gets ``--k`` picks from it and
``--k`` from the popularity ranking (both never a movie bought in training), and a pick is a hit
when the moviegoer turned to that movie in the held-out acts. Moviegoers whose held-out movies were
all in their training profile already are skipped (nothing new to find). Prints precision@k and
recall@k of both, side by side. In memory, no service needed; a few seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from seatcore.demo.films import FILMS
from seatcore.demo.moviegoers import BOUGHT, moviegoers
from seatcore.domain.recommend import Interaction, popular, profiles, recommend, similarity


@dataclass
class Score:
    hits: int = 0
    picked: int = 0
    relevant: int = 0
    users: int = 0
    recall_sum: float = 0.0

    def add(self, picks: list[int], held: set[int]) -> None:
        found = len(set(picks) & held)
        self.hits += found
        self.picked += len(picks)
        self.relevant += len(held)
        self.recall_sum += found / len(held)
        self.users += 1

    @property
    def precision(self) -> float:
        return self.hits / self.picked if self.picked else 0.0

    @property
    def recall(self) -> float:
        return self.recall_sum / self.users if self.users else 0.0


def run(users: int, holdout: int, k: int, seed: int) -> tuple[Score, Score, float]:
    movies = [(i + 1, film.genres) for i, film in enumerate(FILMS)]
    people = moviegoers(movies, users, seed=seed)
    train: list[Interaction] = []
    held_out: dict[int, set[int]] = {}
    for person in people:
        acts = person.acts
        split = max(1, len(acts) - holdout)
        train.extend((person.number, act.movie_id, act.kind) for act in acts[:split])
        seen = {act.movie_id for act in acts[:split]}
        held = {act.movie_id for act in acts[split:]} - seen
        if held:
            held_out[person.number] = held
    started = time.perf_counter()
    known = profiles(train)
    model = similarity(known)
    build_s = time.perf_counter() - started
    bought = {
        user: {movie for movie, (_w, kind) in profile.items() if kind == BOUGHT}
        for user, profile in known.items()
    }
    model_score, popular_score = Score(), Score()
    for user, held in held_out.items():
        mine = bought.get(user, set())
        picks = recommend(model, known.get(user, {}), bought=mine, allowed=None, limit=k)
        model_score.add([p.movie for p in picks], held)
        baseline = popular(model, bought=mine, allowed=None, limit=k)
        popular_score.add([p.movie for p in baseline], held)
    return model_score, popular_score, build_s


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--holdout", type=int, default=2)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    model, baseline, build_s = run(args.users, args.holdout, args.k, args.seed)
    k = args.k
    print(
        f"{args.users} synthetic moviegoers, {len(FILMS)} movies, last {args.holdout} acts held out, "
        f"{model.users} evaluated; model built in {build_s:.3f} s"
    )
    print(f"{'':<22}{f'precision@{k}':>14}{f'recall@{k}':>12}")
    print(f"{'item-to-item cosine':<22}{model.precision:>14.3f}{model.recall:>12.3f}")
    print(f"{'popularity baseline':<22}{baseline.precision:>14.3f}{baseline.recall:>12.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
