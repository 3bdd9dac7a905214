with

source as (

    select * from {{ source('events', 'indikatorer') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        namnd as namnd_code,
        ar as year,
        rapport as report,
        mal as goal_reference,
        indikator as indicator_name,

        -- outcome (periodens utfall)
        periodens_utfall as outcome_text,
        cast(utfall_value as decimal(18, 4)) as outcome_value,
        utfall_unit as outcome_unit,
        utfall_kind as outcome_kind,

        -- forecast (prognos helår)
        prognos_helar as forecast_text,
        cast(prognos_value as decimal(18, 4)) as forecast_value,
        prognos_unit as forecast_unit,
        prognos_kind as forecast_kind,

        -- target (årsmål)
        arsmal as target_text,
        cast(arsmal_value as decimal(18, 4)) as target_value,
        arsmal_unit as target_unit,
        arsmal_kind as target_kind,

        -- council target (kf:s årsmål)
        kf_arsmal as kf_target_text,
        cast(kf_arsmal_value as decimal(18, 4)) as kf_target_value,
        kf_arsmal_unit as kf_target_unit,
        kf_arsmal_kind as kf_target_kind,

        -- times
        period_text,
        period_report,
        period_year,

        -- assessment (bedömning)
        bedomning as assessment_text,
        assessment,

        -- attributes
        unparsed as unparsed_columns,
        extra as extra_columns

    from source

)

select * from renamed
