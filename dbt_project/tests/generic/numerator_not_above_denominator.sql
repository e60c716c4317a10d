{# A part never exceeds its whole: numerator <= denominator wherever both are known. #}
{% test numerator_not_above_denominator(model, numerator, denominator) %}

select *
from {{ model }}
where {{ numerator }} is not null
    and {{ denominator }} is not null
    and {{ numerator }} > {{ denominator }}

{% endtest %}
