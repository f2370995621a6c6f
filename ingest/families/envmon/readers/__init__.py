"""Source readers: TT 10/2021 station files, periodic CSV/XLSX exports, station lists."""
