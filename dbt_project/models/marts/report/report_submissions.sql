-- This year's expected reports (the year of the run's date): the calendar expects every report
-- since its first year, and the page shows this year's.
select
    period,
    dataset,
    province_code,
    province_name,
    status,
    current_file,
    versions_delivered,
    files_turned_away,
    due_date,
    timeliness,
    {{ run_id() }} as run_id
from {{ ref('submissions') }}
where extract(year from period_end) = extract(year from {{ as_of_date() }})
