"""Medians, ratios against the targets, and the markdown / JSON / PNG outputs."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# (workload label, metric, display name, higher is better)
METRICS = [
    ("W1 iterable, small objects", "objects_per_s", "objects/s", True),
    ("W2 map + DataLoader(4 workers)", "objects_per_s", "objects/s", True),
    ("W3 one big object, sequential reader", "mib_per_s", "MiB/s", True),
    ("W3 one big object, streaming reader", "mib_per_s", "MiB/s", True),
    ("W4 torch.save", "save_mib_per_s", "MiB/s", True),
    ("W4 torch.load", "load_mib_per_s", "MiB/s", True),
    ("W5 DCP save, 2 ranks", "save_mib_per_s", "MiB/s", True),
    ("W5 DCP load, 2 ranks", "load_mib_per_s", "MiB/s", True),
    ("W6 peak RSS growth, big object", "rss_growth_mib", "MiB", False),
    ("W7 CPU per GiB read", "cpu_seconds_per_gib", "CPU s/GiB", False),
    ("limit: small objects", "objects_per_s", "objects/s", True),
    ("limit: small objects, C++ (16 streams, 1 thread)", "objects_per_s", "objects/s", True),
    ("limit: small objects, C++ (16 threads)", "objects_per_s", "objects/s", True),
    ("limit: one big object", "mib_per_s", "MiB/s", True),
    ("limit: one big object, C++ (into memory)", "mib_per_s", "MiB/s", True),
    ("limit: one big object, C++ (streamed)", "mib_per_s", "MiB/s", True),
    ("limit: uploads (1-4 in parallel)", "mib_per_s", "MiB/s", True),
]


def _best(summary: dict[str, Any], prefix: str, metric: str) -> float | None:
    """The best value of ``metric`` among the rows whose label starts with ``prefix``."""
    values = [m.get(metric) for label, impls in summary.items() if label.startswith(prefix) for m in impls.values()]
    return max((x for x in values if x is not None), default=None)


@dataclass
class Target:
    name: str
    description: str
    measured: float | None
    goal: float
    higher_is_better: bool

    @property
    def met(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured >= self.goal if self.higher_is_better else self.measured <= self.goal


def medians(runs: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """{label: {impl: {metric: median}}}"""
    grouped: dict[str, dict[str, dict[str, list[float]]]] = {}
    for run in runs:
        per_impl = grouped.setdefault(run["label"], {}).setdefault(run["impl"], {})
        for metric, value in run["metrics"].items():
            per_impl.setdefault(metric, []).append(value)
    return {
        label: {impl: {m: statistics.median(v) for m, v in metrics.items()} for impl, metrics in impls.items()}
        for label, impls in grouped.items()
    }


def _value(summary: dict[str, Any], label: str, impl: str, metric: str) -> float | None:
    return summary.get(label, {}).get(impl, {}).get(metric)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def targets(summary: dict[str, Any]) -> list[Target]:
    v = lambda label, impl, metric: _value(summary, label, impl, metric)  # noqa: E731
    w3, w3s = "W3 one big object, sequential reader", "W3 one big object, streaming reader"
    return [
        Target(
            "W1",
            "iterable dataset, objects/s vs the reference",
            _ratio(
                v("W1 iterable, small objects", "ours", "objects_per_s"),
                v("W1 iterable, small objects", "reference", "objects_per_s"),
            ),
            3.0,
            True,
        ),
        Target(
            "W2",
            "map dataset + 4 workers, objects/s vs the reference",
            _ratio(
                v("W2 map + DataLoader(4 workers)", "ours", "objects_per_s"),
                v("W2 map + DataLoader(4 workers)", "reference", "objects_per_s"),
            ),
            1.5,
            True,
        ),
        Target(
            "W3",
            "big object MiB/s, our sequential reader (best mode) vs the reference's",
            _ratio(
                max(filter(None, [v(w3, "ours", "mib_per_s"), v(w3s, "ours", "mib_per_s")]), default=None),
                v(w3, "reference", "mib_per_s"),
            ),
            2.0,
            True,
        ),
        Target(
            "W4 save",
            "torch.save MiB/s vs the reference",
            _ratio(v("W4 torch.save", "ours", "save_mib_per_s"), v("W4 torch.save", "reference", "save_mib_per_s")),
            1.5,
            True,
        ),
        Target(
            "W4 load",
            "torch.load MiB/s vs the reference",
            _ratio(v("W4 torch.load", "ours", "load_mib_per_s"), v("W4 torch.load", "reference", "load_mib_per_s")),
            1.5,
            True,
        ),
        Target(
            "W5 save",
            "DCP save MiB/s vs the reference",
            _ratio(
                v("W5 DCP save, 2 ranks", "ours", "save_mib_per_s"),
                v("W5 DCP save, 2 ranks", "reference", "save_mib_per_s"),
            ),
            1.3,
            True,
        ),
        Target(
            "W5 load",
            "DCP load MiB/s vs the reference",
            _ratio(
                v("W5 DCP load, 2 ranks", "ours", "load_mib_per_s"),
                v("W5 DCP load, 2 ranks", "reference", "load_mib_per_s"),
            ),
            1.3,
            True,
        ),
        Target(
            "W6",
            "peak RSS streaming (ours) vs the reference's sequential reader",
            _ratio(v(w3s, "ours", "rss_growth_mib"), v(w3, "reference", "rss_growth_mib")),
            1 / 8,
            False,
        ),
        Target(
            "W7",
            "CPU seconds per GiB vs the reference",
            _ratio(v(w3, "ours", "cpu_seconds_per_gib"), v(w3, "reference", "cpu_seconds_per_gib")),
            0.7,
            False,
        ),
        Target(
            "W1 limit",
            "W1 as a fraction of the small-object limit",
            _ratio(
                v("W1 iterable, small objects", "ours", "objects_per_s"),
                _best(summary, "limit: small objects", "objects_per_s"),
            ),
            0.9,
            True,
        ),
        Target(
            "W3 limit",
            "W3 (best reader) as a fraction of the big-object limit",
            _ratio(
                max(filter(None, [v(w3, "ours", "mib_per_s"), v(w3s, "ours", "mib_per_s")]), default=None),
                _best(summary, "limit: one big object", "mib_per_s"),
            ),
            0.9,
            True,
        ),
    ]


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def markdown(summary: dict[str, Any], machine: dict[str, str], reps: int, mode: str) -> str:
    lines = [
        f"Mode: **{mode}**, medians of {reps} runs per cell, all clients against the same local SeaweedFS.",
        "",
        "| " + " | ".join(f"{k}" for k in machine) + " |",
        "|" + "---|" * len(machine),
        "| " + " | ".join(machine.values()) + " |",
        "",
        "| workload | unit | this library | s3torchconnector 1.5.0 | boto3 | ours / reference |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, metric, unit, _ in METRICS:
        ours = _value(summary, label, "ours", metric)
        ref = _value(summary, label, "reference", metric)
        b3 = _value(summary, label, "boto3", metric)
        if ours is None and ref is None and b3 is None:
            continue
        ratio = _ratio(ours, ref)
        lines.append(
            f"| {label} | {unit} | {_fmt(ours)} | {_fmt(ref)} | {_fmt(b3)} | {_fmt(ratio) + '×' if ratio else '–'} |"
        )
    lines += ["", "| target | what | measured | goal | met |", "|---|---|---:|---:|---|"]
    for t in targets(summary):
        goal = f"≥ {t.goal:g}×" if t.higher_is_better else f"≤ {t.goal:g}×"
        met = {True: "yes", False: "**no**", None: "not measured"}[t.met]
        lines.append(f"| {t.name} | {t.description} | {_fmt(t.measured)}{'×' if t.measured else ''} | {goal} | {met} |")
    return "\n".join(lines) + "\n"


def plot(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measured = [t for t in targets(summary) if t.measured is not None]
    # Plot every target as "how many times better than needed": 1 is the line.
    scores = [t.measured / t.goal if t.higher_is_better else t.goal / t.measured for t in measured]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    colors = ["#2a9d8f" if s >= 1 else "#e76f51" for s in scores]
    ax.bar([t.name for t in measured], scores, color=colors)
    ax.axhline(1.0, color="black", linewidth=1)
    for i, t in enumerate(measured):
        ax.annotate(f"{t.measured:.2f}×", (i, scores[i]), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("measured / target  (≥ 1 meets it)")
    ax.set_title("s3torchconnector vs the reference (1.5.0): targets")
    plt.xticks(rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write(out: Path, runs: list[dict[str, Any]], machine: dict[str, str], reps: int, mode: str) -> str:
    summary = medians(runs)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps(
            {
                "mode": mode,
                "machine": machine,
                "runs": runs,
                "medians": summary,
                "targets": [t.__dict__ | {"met": t.met} for t in targets(summary)],
            },
            indent=2,
        )
    )
    text = markdown(summary, machine, reps, mode)
    (out / "results.md").write_text(text)
    plot(summary, out / "targets.png")
    return text
