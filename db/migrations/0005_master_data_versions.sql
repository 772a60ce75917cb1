CREATE TABLE `master_data_versions` (
	`entity` text NOT NULL,
	`entity_id` text NOT NULL,
	`version` integer NOT NULL,
	`at` text NOT NULL,
	`by` text NOT NULL,
	`changes` text NOT NULL,
	PRIMARY KEY(`entity`, `entity_id`, `version`)
);
--> statement-breakpoint
ALTER TABLE `capacity_settings` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `customers` ADD `defaults` text;--> statement-breakpoint
ALTER TABLE `customers` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `materials` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `products` ADD `version` integer DEFAULT 1 NOT NULL;