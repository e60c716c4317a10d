"""What people read: the report site, the run page, the workbook, charts and Vietnamese formats, serving."""
