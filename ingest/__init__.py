"""ETL pipelines: extract -> decode text -> reproject -> validate -> load to staging -> publish."""
