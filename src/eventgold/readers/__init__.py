"""Prediction readers: other tools' outputs (and ours) as DocumentAnnotations.

They serve ``push`` (pre-annotations for Label Studio) and ``score`` alike.

- :mod:`.predictions`: ``read_predictions`` and ``detect_format`` over every format;
- :mod:`.labelstudio`: Label Studio JSON tasks or predictions;
- :mod:`.plover`: PLOVER/POLECAT-style event records;
- :mod:`.plover_format`: the PLOVER record format (``plover_format.yaml``), shared with the export;
- :mod:`.docbin`: a spaCy ``DocBin``.
"""

from eventgold.readers.predictions import (
    FORMATS,
    Format,
    detect_format,
    gold_to_annotation,
    read_predictions,
)

__all__ = ["FORMATS", "Format", "detect_format", "gold_to_annotation", "read_predictions"]
