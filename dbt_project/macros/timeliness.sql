{#
  A report's status and timeliness on the run's date, one rule for the provinces' reports
  (marts.submissions) and the units' (marts.unit_submissions). `delivered`: the versions grouped
  per report (current_file, versions_delivered, first_accepted_at); `turned_away`: files refused or
  rejected before their rows were read (files_turned_away); `due_day`: int_working_days at the due
  date; `due_date`: the report's due date. The model has a `today` CTE: int_working_days at
  the run's date.
#}
{% macro report_status(delivered, turned_away) -%}
    case
        when {{ delivered }}.current_file is not null then 'current'
        when {{ delivered }}.versions_delivered > 0 or {{ turned_away }}.files_turned_away > 0 then 'rejected'
        else 'missing'
    end
{%- endmacro %}

{% macro report_timeliness(delivered, turned_away, due_day, due_date) -%}
    case
        when {{ due_date }} is null then null
        when {{ delivered }}.first_accepted_at is not null then
            case
                when cast(timezone('Asia/Ho_Chi_Minh', {{ delivered }}.first_accepted_at) as date) <= {{ due_date }}
                    then 'on_time'
                else 'late'
            end
        when coalesce({{ delivered }}.versions_delivered, 0) > 0 or coalesce({{ turned_away }}.files_turned_away, 0) > 0
            then 'rejected_pending'
        when {{ as_of_date() }} > {{ due_date }} then 'overdue'
        when {{ due_day }}.working_day_number - (select today.working_day_number from today) <= 5 then 'due_soon'
        else 'not_yet_due'
    end
{%- endmacro %}
