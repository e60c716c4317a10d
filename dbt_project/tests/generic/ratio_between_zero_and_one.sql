{# A ratio (a fraction) lies in [0, 1]; NULL means not computable and passes. #}
{% test ratio_between_zero_and_one(model, column_name) %}

select *
from {{ model }}
where {{ column_name }} is not null
    and ({{ column_name }} < 0 or {{ column_name }} > 1)

{% endtest %}
