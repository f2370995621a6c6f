-- Reference data the public may read (code names and colours, admin units) as pub views.
SET ROLE hub_owner;

CREATE VIEW pub.land_use_codes AS
SELECT c.code_list, c.code, c.parent_code, c.group_code, c.name_vi, c.name_en, c.color_hex, c.is_aggregate
FROM ref.land_use_code c;

CREATE VIEW pub.admin_units AS
SELECT u.version_id, u.level, u.code, u.name, u.unit_type, u.parent_code, u.geom_wgs84 AS geom
FROM ref.admin_unit u;

RESET ROLE;
GRANT SELECT ON pub.land_use_codes, pub.admin_units TO hub_api, hub_analyst;
