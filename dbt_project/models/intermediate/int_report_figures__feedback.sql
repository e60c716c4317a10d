{{ report_figures('feedback') }}
