with

source as (

    select * from {{ source('events', 'sjukfranvaro') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        period,
        namnd as namnd_code,
        kon as gender,
        aldersgrupp as age_group,

        -- counts
        anstallda as employees,

        -- hours (never percentages: every share is computed from these)
        cast(ordinarie_arbetstid as decimal(18, 4)) as scheduled_hours,
        cast(sjukfranvaro as decimal(18, 4)) as sick_hours,
        cast(varav_dag_1_14 as decimal(18, 4)) as sick_hours_day_1_14,
        cast(varav_60_dagar as decimal(18, 4)) as sick_hours_60_days_plus,

        -- attributes
        extra as extra_columns

    from source

)

select * from renamed
