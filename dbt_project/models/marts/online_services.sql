{{ current_form_rows('online_services') }}
