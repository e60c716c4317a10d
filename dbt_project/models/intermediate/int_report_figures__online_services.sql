{{ report_figures('online_services') }}
