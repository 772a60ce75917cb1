CREATE TABLE `capacity_moves` (
	`order_id` text NOT NULL,
	`event` text NOT NULL,
	`reference` text NOT NULL,
	`day` text NOT NULL,
	`kind` text NOT NULL,
	`hours` real NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`order_id`, `event`, `reference`, `day`)
);
--> statement-breakpoint
CREATE INDEX `capacity_moves_day` ON `capacity_moves` (`day`);--> statement-breakpoint
CREATE TABLE `fulfilment_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` text NOT NULL,
	`event` text NOT NULL,
	`reference` text NOT NULL,
	`at` text NOT NULL,
	`lines` text,
	`body_hash` text NOT NULL,
	`recorded_by` text NOT NULL,
	`recorded_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fulfilment_events_key` ON `fulfilment_events` (`order_id`,`event`,`reference`);--> statement-breakpoint
CREATE TABLE `stock_moves` (
	`order_id` text NOT NULL,
	`event` text NOT NULL,
	`reference` text NOT NULL,
	`material_id` text NOT NULL,
	`kind` text NOT NULL,
	`quantity` integer NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`order_id`, `event`, `reference`, `material_id`)
);
--> statement-breakpoint
CREATE INDEX `stock_moves_material` ON `stock_moves` (`material_id`);--> statement-breakpoint
ALTER TABLE `materials` ADD `reorder_point` integer;