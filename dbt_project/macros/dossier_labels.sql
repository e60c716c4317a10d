{#
  A dossier's channel or status as exported (English or Vietnamese, any case or accents), in
  canonical words (contract §1.4); NULL for a word outside the vocabulary.
#}

{% macro dossier_vocabulary(kind) -%}
    {{ return({
        'channel': {
            'online': 'online', 'truc tuyen': 'online',
            'direct': 'direct', 'truc tiep': 'direct',
            'postal': 'postal', 'buu chinh': 'postal',
        },
        'status': {
            'resolved': 'resolved', 'da giai quyet': 'resolved',
            'pending': 'pending', 'dang giai quyet': 'pending',
            'returned': 'returned', 'tra lai': 'returned',
            'withdrawn': 'withdrawn', 'rut ho so': 'withdrawn',
        },
    }[kind]) }}
{%- endmacro %}

{% macro dossier_word(kind, expression) -%}
    case {{ normalize_label(expression) }}
        {%- for written, word in dossier_vocabulary(kind).items() %}
        when '{{ written }}' then '{{ word }}'
        {%- endfor %}
    end
{%- endmacro %}
