{{ current_form_rows('dossier_results') }}
