CREATE TABLE `principals_generation` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `principals_generation` (`id`, `generation`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `principals_generation_insert` AFTER INSERT ON `principals`
BEGIN UPDATE `principals_generation` SET `generation` = `generation` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `principals_generation_update` AFTER UPDATE ON `principals`
BEGIN UPDATE `principals_generation` SET `generation` = `generation` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `principals_generation_delete` AFTER DELETE ON `principals`
BEGIN UPDATE `principals_generation` SET `generation` = `generation` + 1 WHERE `id` = 1; END;
