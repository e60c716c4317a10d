{{ current_form_rows('feedback') }}
