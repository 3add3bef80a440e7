"""Data in: the data contract, file reading (CSV in UTF-8/BOM/GB18030, XLSX, Parquet), checks,
the validated :class:`~evalkit.data.dataset.Dataset`, the Parquet fast path, working days and
writers. The first stage of the one-way flow (data → indicators/qualitative → scoring →
sensitivity/composite → results → report)."""
