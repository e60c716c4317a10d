{#
  A sheet's column letter from its position, 1 → A, 27 → AA, up to three letters (XFD):
  how a finding names its cell in a workbook ("Biểu II.06b!G9").
#}
{% macro column_letter(position) -%}
    case
        when {{ position }} <= 26 then chr(64 + {{ position }})
        when {{ position }} <= 702 then
            chr(64 + cast(floor(({{ position }} - 1) / 26.0) as integer)) || chr(65 + ({{ position }} - 1) % 26)
        else
            chr(64 + cast(floor(({{ position }} - 703) / 676.0) as integer) + 1)
            || chr(65 + cast(floor((({{ position }} - 703) % 676) / 26.0) as integer))
            || chr(65 + ({{ position }} - 1) % 26)
    end
{%- endmacro %}
