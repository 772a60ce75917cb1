CREATE INDEX `inbox_step` ON `inbox_items` (`step`,`order_id`);--> statement-breakpoint
CREATE INDEX `orders_customer_submitted` ON `orders` (`customer_id`,`submitted_at`,`order_id`);--> statement-breakpoint
CREATE INDEX `orders_channel` ON `orders` (`channel`,`submitted_at`,`order_id`);--> statement-breakpoint
CREATE INDEX `orders_priority` ON `orders` (`priority`,`submitted_at`,`order_id`);--> statement-breakpoint
CREATE INDEX `orders_escalated` ON `orders` (`submitted_at`,`order_id`) WHERE "orders"."escalated" = 1;