{{ report_figures('procedure_inventory') }}
