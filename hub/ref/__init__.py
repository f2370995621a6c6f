"""Reference data: administrative units (before and after the 2025 merger), VN-2000 zones, land-use code lists."""
