"""`manage.py recommendations_evaluate`: the offline evaluation table (see `matching.recommender.evaluation`)."""

from django.core.management.base import BaseCommand, CommandParser

from matching.recommender import evaluation

COLUMNS = ("P@5", "R@10", "NDCG@10", "coverage", "diversity", "novelty")


class Command(BaseCommand):
    help = (
        "Evaluate the recommender and its baselines on a synthetic population with hidden preferences: "
        "precision@5, recall@10, NDCG@10, coverage, intra-list diversity and novelty, cold-start and warm students."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mentors", type=int, default=400)
        parser.add_argument("--students", type=int, default=1200)
        parser.add_argument("--seed", type=int, default=2)
        parser.add_argument("--tune", action="store_true", help="Search the blend weights (slow) instead.")

    def handle(self, *args, **options) -> None:
        if options["mentors"] < 1 or options["students"] < 2:
            self.stderr.write("Need at least one mentor and two students.")
            return
        population = evaluation.synthetic_population(
            mentors=options["mentors"], students=options["students"], seed=options["seed"]
        )
        if options["tune"]:
            for group, (weights, ndcg) in evaluation.tune(population).items():
                self.stdout.write(f"{group}: {weights} NDCG@10={ndcg:.3f}")
            return
        table = evaluation.evaluate(population, seed=options["seed"])
        for group, rows in table.items():
            count = len(population.cold if group == "cold" else population.warm)
            self.stdout.write(f"\n{group} students ({count})")
            self.stdout.write(f"{'ranker':<14}" + "".join(f"{column:>11}" for column in COLUMNS))
            for name, metrics in rows.items():
                values = (
                    metrics.precision_at_5,
                    metrics.recall_at_10,
                    metrics.ndcg_at_10,
                    metrics.coverage,
                    metrics.diversity,
                    metrics.novelty,
                )
                self.stdout.write(f"{name:<14}" + "".join(f"{value:>11.3f}" for value in values))
