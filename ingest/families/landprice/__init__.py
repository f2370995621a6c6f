"""Land-price tables (bảng giá đất; domain §4): layouts, header recognition, sheet extraction, rules."""
