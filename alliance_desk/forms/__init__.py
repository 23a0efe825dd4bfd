"""Application forms as Word documents: printed per region (writer), read back by their labels
(reader), previewed and imported as one all-or-nothing batch (service)."""
