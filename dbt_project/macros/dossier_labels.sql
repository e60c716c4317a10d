{#
  A dossier's channel and status as exported (English or Vietnamese, any case or accents),
  in canonical words (contract §1.4); NULL for a word outside the vocabulary.
#}

{% macro dossier_channel(expression) -%}
    case {{ normalize_label(expression) }}
        when 'online' then 'online'
        when 'truc tuyen' then 'online'
        when 'direct' then 'direct'
        when 'truc tiep' then 'direct'
        when 'postal' then 'postal'
        when 'buu chinh' then 'postal'
    end
{%- endmacro %}

{% macro dossier_status(expression) -%}
    case {{ normalize_label(expression) }}
        when 'resolved' then 'resolved'
        when 'da giai quyet' then 'resolved'
        when 'pending' then 'pending'
        when 'dang giai quyet' then 'pending'
        when 'returned' then 'returned'
        when 'tra lai' then 'returned'
        when 'withdrawn' then 'withdrawn'
        when 'rut ho so' then 'withdrawn'
    end
{%- endmacro %}
