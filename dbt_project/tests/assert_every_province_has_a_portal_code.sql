-- Every one of the 34 provinces (from 01/07/2025) maps to the portal's own code, so that every
-- row of a national index snapshot finds its official code.
select distinct provinces.new_code as province_code
from {{ ref('provinces_2025') }} as provinces
left join {{ ref('index766_portal_codes') }} as portal_codes
    on provinces.new_code = portal_codes.province_code
where portal_codes.portal_code is null
