"""Reading the spreadsheets people upload (CSV or XLSX), shared by every import."""
