#include "detail.h"

#include "fixtures.h"

const char detail_vehicle_error[] =
    "The vehicle did not respond to the command.";

/* Values from the docs' diagnostics example, plus one datapoint the vehicle
 * could not read: the docs replace such values with null, and a client must
 * keep it. */
static json_t *diagnostics(void)
{
    return json_pack(
        "{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:s, s:f, s:s, s:f, s:f, s:s,"
        " s:n, s:f, s:s, s:f, s:s, s:s, s:s, s:f, s:f}",
        "fuel_amount", 43.47, "fuel_capacity", 44.0, "fuel_level", 98.8,
        "fuel_range", 542.37, "ideal_front_tire_pressure", 34.81,
        "ideal_rear_tire_pressure", 34.81, "left_front_tire_pressure", 33.07,
        "left_front_tire_pressure_status", "nominal", "left_rear_tire_pressure",
        31.91, "left_rear_tire_pressure_status", "nominal", "odometer",
        76140.81, "oil_remaining_life", 53.3, "oil_remaining_life_status",
        "normal", "oil_level", "right_front_tire_pressure", 31.91,
        "right_front_tire_pressure_status", "nominal",
        "right_rear_tire_pressure", 31.33, "right_rear_tire_pressure_status",
        "nominal", "seat_belt_status", "not buckled", "system_power_mode",
        "off", "total_fuel_economy", 12.32, "total_fuel_used", 6766.5);
}

json_t *detail_success(int cmd, const char *date_time)
{
    json_t *detail;
    switch (cmd) {
    case CMD_LOCATION:
        detail = json_pack("{s:f, s:f}", "latitude", -23.5613496, "longitude",
                           -46.6565712);
        break;
    case CMD_DIAGNOSTICS:
        detail = diagnostics();
        break;
    default: /* doors and ignitions report only when they ran */
        detail = json_object();
        break;
    }
    json_object_set_new(detail, "date_time", json_string(date_time));
    return detail;
}
