"""Check a Label Studio labeling config with label_studio_sdk's own parser."""

from __future__ import annotations

from eventgold.errors import OntologyError


def parse_label_config(xml: str) -> list[str]:
    """Parse ``xml`` with label_studio_sdk's LabelInterface; return the control names.

    Raises OntologyError when the SDK rejects the config.
    """
    from label_studio_sdk.label_interface import LabelInterface

    try:
        interface = LabelInterface(xml)
    except Exception as exc:  # the SDK raises several unrelated types
        raise OntologyError(f"label_studio_sdk cannot parse the labeling config: {exc}") from exc
    return [control.name for control in interface.controls]
