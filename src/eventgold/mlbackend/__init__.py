"""Live pre-annotation: any extractor served to Label Studio through its ML backend protocol.

``create_app`` builds the Starlette app (``/health``, ``/setup``, ``/predict``, ``/webhook``);
``serve`` runs it with uvicorn. Predictions are the ones ``push --predictions`` would send for
``extract``'s output of the same article, named ``<extractor>@<version>``.
"""

from eventgold.mlbackend.app import AnnotationEvent, AnnotationHook, BackendState, create_app
from eventgold.mlbackend.config_check import ConfigChecker
from eventgold.mlbackend.protocol import backend_model_version
from eventgold.mlbackend.server import is_loopback, serve

__all__ = [
    "AnnotationEvent",
    "AnnotationHook",
    "BackendState",
    "ConfigChecker",
    "backend_model_version",
    "create_app",
    "is_loopback",
    "serve",
]
