"""National indices and standards: VN_AQI (QĐ 1459), VN_WQI (QĐ 1460), QCVN 05/08:2023 exceedances."""
