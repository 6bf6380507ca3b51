"""Facts about ei-desktop itself: its version and Edge Impulse's public endpoints.

A leaf module, so every layer can read them without importing the package root (whose
module-level settings only the SDK functions and the command line may read).
"""

VERSION = "0.1.0"

DEFAULT_API_ENDPOINT = "https://studio.edgeimpulse.com/v1"
DEFAULT_INGESTION_ENDPOINT = "https://ingestion.edgeimpulse.com"
