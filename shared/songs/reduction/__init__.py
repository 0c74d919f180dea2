"""Lower difficulties generated from an Expert-only part: Hard, Medium and Easy.

`generate.generate_lower_difficulties` consumes a chart file's bytes (.chart or .mid) and
emits the same chart with the generated difficulties written into it; `guitar` and `drums`
hold the pure reduction rules, `chart_writer` and `mid_writer` the two file formats.
"""

from .generate import GeneratedChart, generate_lower_difficulties
from .model import GENERATED_DIFFICULTIES, GeneratedNote, GeneratedPart

__all__ = ["GENERATED_DIFFICULTIES", "GeneratedChart", "GeneratedNote", "GeneratedPart",
           "generate_lower_difficulties"]
