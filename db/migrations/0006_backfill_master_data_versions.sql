-- Hand-written data migration (contract section 10): master data that existed before versions were kept gets its
-- version 1, "creation with every field", written by "migration" at the record's updated_at. Values in the API's
-- form, as db/master-data.ts writes them (money "1250.00", bills of materials sorted by materialId).
INSERT OR IGNORE INTO `master_data_versions` (`entity`, `entity_id`, `version`, `at`, `by`, `changes`)
SELECT 'customer', `id`, 1, `updated_at`, 'migration', json_object(
  'name', json_object('from', NULL, 'to', `name`),
  'tier', json_object('from', NULL, 'to', `tier`),
  'creditLimit', json_object('from', NULL, 'to', printf('%d.%02d', `credit_limit_minor` / 100, `credit_limit_minor` % 100)),
  'openBalance', json_object('from', NULL, 'to', printf('%d.%02d', `open_balance_minor` / 100, `open_balance_minor` % 100)),
  'allowedPaymentTerms', json_object('from', NULL, 'to', json(`allowed_payment_terms`)),
  'onHold', json_object('from', NULL, 'to', json(CASE WHEN `on_hold` THEN 'true' ELSE 'false' END)),
  'defaults', json_object('from', NULL, 'to', json(coalesce(`defaults`, '{}')))
) FROM `customers`;
--> statement-breakpoint
INSERT OR IGNORE INTO `master_data_versions` (`entity`, `entity_id`, `version`, `at`, `by`, `changes`)
SELECT 'product', p.`sku`, 1, p.`updated_at`, 'migration', json_object(
  'name', json_object('from', NULL, 'to', p.`name`),
  'unitPrice', json_object('from', NULL, 'to', printf('%d.%02d', p.`unit_price_minor` / 100, p.`unit_price_minor` % 100)),
  'hoursPerUnit', json_object('from', NULL, 'to', p.`hours_per_unit`),
  'materials', json_object('from', NULL, 'to', json((
    SELECT coalesce(json_group_array(json_object('materialId', b.`material_id`, 'quantityPerUnit', b.`quantity_per_unit`)), '[]')
    FROM (SELECT * FROM `product_materials` WHERE `sku` = p.`sku` ORDER BY `material_id`) b
  )))
) FROM `products` p;
--> statement-breakpoint
INSERT OR IGNORE INTO `master_data_versions` (`entity`, `entity_id`, `version`, `at`, `by`, `changes`)
SELECT 'material', `id`, 1, `updated_at`, 'migration', json_object(
  'name', json_object('from', NULL, 'to', `name`),
  'onHand', json_object('from', NULL, 'to', `on_hand`)
) FROM `materials`;
--> statement-breakpoint
INSERT OR IGNORE INTO `master_data_versions` (`entity`, `entity_id`, `version`, `at`, `by`, `changes`)
SELECT 'capacity', 'capacity', 1, `updated_at`, 'migration', json_object(
  'hoursPerDay', json_object('from', NULL, 'to', `hours_per_day`)
) FROM `capacity_settings` WHERE `id` = 1;
