{{ report_figures('dossier_results') }}
