"""Environmental monitoring family (issue 13): stations, observations, VN_AQI/VN_WQI, QCVN exceedances."""
