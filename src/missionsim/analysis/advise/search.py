"""The search: pymoo's NSGA-II over mixed variables, driven one generation at a time.

Why NSGA-II from pymoo. The question has several objectives that trade off (outcomes, equity,
P(target) and cost), so the answer is a Pareto set rather than one optimum; each evaluation is
expensive (a package in every future), so a whole generation's candidates should run as one
study, in parallel and stored; and the space mixes on/off choices with choices from short
grids (intensities, start months, targeting options). pymoo (maintained, Apache-licensed) has
all of it: NSGA-II (Deb et al. 2002) with binary-tournament selection on rank and crowding;
mixed-variable sampling, crossover and mutation (``pymoo.core.mixed``); the budget as an
inequality constraint, handled by constrained dominance (a feasible candidate beats an
infeasible one) rather than by a penalty; and an ask-and-tell interface, so that evaluation
stays in missionsim's results store, which is then the only record to resume from. Optuna's
multi-objective samplers (its NSGA-II sampler takes constraints too) work trial by trial and
keep trials in Optuna's own storage, which a resumed advice would have to reconcile with the
results store; the EMA workbench's optimisation delegates to Platypus and expects its model
interface of independent levers, where a package is a set of reforms under one budget.

Every random choice of the search comes from one generator that pymoo seeds with
:func:`search_seed` (the advice's root seed with a salt), and evaluation never touches it, so
the same seed gives the same candidates in the same order on any executor, and a resumed
search replays the same generations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from missionsim.analysis.advise.evaluate import Archive, Candidate

SEARCH_SALT = 0xAD5E
"""Mixed with the root seed to derive the search's seed, apart from the futures' streams."""


def search_seed(root: int) -> int:
    """The seed pymoo's generator starts from, derived from the advice's root seed."""
    state = np.random.SeedSequence([int(root), SEARCH_SALT]).generate_state(1, np.uint32)
    return int(state[0])


def _sampling(archive: Archive):
    """The initial population: packages spread evenly over their number of reforms.

    pymoo's sampling switches each reform on with probability 1/2, so that with nine reforms
    most initial packages hold four or five, and under a budget most are infeasible. Here each
    package first draws its number of reforms uniformly from 0 to the most a package may hold
    (``max_reforms``, or every reform), then which reforms, uniformly; the other genes are
    pymoo's mixed-variable sampling. Every draw comes from pymoo's generator.
    """
    from pymoo.core.mixed import MixedVariableSampling

    genes = archive.plan.space.genes
    most = min(len(genes), archive.plan.space.max_reforms or len(genes))

    class SpreadOverSizes(MixedVariableSampling):
        def _do(self, problem, n_samples, random_state=None, **kwargs):  # noqa: D102
            samples = super()._do(problem, n_samples, random_state=random_state, **kwargs)
            for x in samples:
                size = int(random_state.integers(0, most + 1))
                chosen = set(random_state.choice(len(genes), size=size, replace=False))
                for i, gene in enumerate(genes):
                    x[f"{gene.reform}:on"] = i in chosen
            return samples

    return SpreadOverSizes()


def _duplicates(archive: Archive, novel: bool):
    """Duplicate elimination by package: candidates that decode alike are one.

    With ``novel``, a package the archive holds (evaluated in an earlier generation) counts as
    a duplicate too, so that offspring are packages not yet evaluated while there are any: the
    mating tries again (up to pymoo's 100 times) instead of spending a generation's places on
    packages whose evaluations are already known.
    """
    from pymoo.core.duplicate import DuplicateElimination

    space = archive.plan.space

    class SamePackage(DuplicateElimination):
        def _do(self, pop, other, is_duplicate):  # noqa: D102 - pymoo's hook
            keys = [space.key(space.decode(ind.X)) for ind in pop]
            if other is None:
                seen = set(archive.candidates) if novel else set()
            else:
                seen = {space.key(space.decode(ind.X)) for ind in other}
            for i, key in enumerate(keys):
                if key in seen:
                    is_duplicate[i] = True
                elif other is None:
                    seen.add(key)
            return is_duplicate

    return SamePackage()


def run(archive: Archive, on_generation: Callable[[int, list[Candidate]], None] | None = None
        ) -> list[dict]:
    """Run the search; the archive ends holding every candidate and its evaluations.

    Generation 0 also evaluates the package of no reforms (the reference, ``c0000``).

    Args:
        archive: Where candidates are evaluated and kept.
        on_generation: Called after each generation with its number and candidates.

    Returns:
        One record per generation: its number, packages proposed, new candidates.
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2, binary_tournament
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.mixed import MixedVariableMating
    from pymoo.core.problem import Problem
    from pymoo.operators.selection.tournament import TournamentSelection
    from pymoo.problems.static import StaticProblem

    plan = archive.plan
    generations = plan.settings.search.generations
    constraints = 1 + (plan.space.max_reforms is not None)
    problem = Problem(vars=plan.space.variables(), n_obj=len(plan.objectives),
                      n_ieq_constr=constraints)
    algorithm = NSGA2(pop_size=plan.settings.search.population,
                      sampling=_sampling(archive),
                      mating=MixedVariableMating(
                          selection=TournamentSelection(func_comp=binary_tournament),
                          eliminate_duplicates=_duplicates(archive, novel=True)),
                      eliminate_duplicates=_duplicates(archive, novel=False))
    algorithm.setup(problem, termination=("n_gen", generations), seed=search_seed(plan.seed),
                    verbose=False)
    history = []
    generation = 0
    while algorithm.has_next():
        population = algorithm.ask()
        if population is None or len(population) == 0:  # every package is evaluated
            break
        packages = [plan.space.decode(ind.X) for ind in population]
        extra = [()] if generation == 0 else []
        known = len(archive.candidates)
        candidates = archive.add([*extra, *packages], generation, generations)[len(extra):]
        f, g = archive.objectives(candidates)
        Evaluator().eval(StaticProblem(problem, F=f, G=g), population)
        algorithm.tell(infills=population)
        history.append({"generation": generation, "proposed": len(packages),
                        "new": len(archive.candidates) - known})
        if on_generation is not None:
            on_generation(generation, candidates)
        generation += 1
    return history
