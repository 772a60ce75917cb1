ALTER TABLE `orders` ADD `history_state` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `orders` SET `history_state` = 1 WHERE `order_id` IN (SELECT `order_id` FROM `order_histories`);--> statement-breakpoint
CREATE INDEX `orders_history_pending` ON `orders` (`completed_at`,`order_id`) WHERE "orders"."history_state" = 0 AND "orders"."status" IN ('approved', 'rejected', 'cancelled', 'expired');
