{{ current_form_rows('procedure_inventory') }}
