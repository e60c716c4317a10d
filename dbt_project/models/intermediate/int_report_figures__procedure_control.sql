{{ report_figures('procedure_control') }}
