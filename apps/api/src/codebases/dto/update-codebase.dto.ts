import { DescriptionProperty } from './description.property';
import { NotificationEmailProperty } from './notification-email.property';

/** PATCH body: only the fields given change. */
export class UpdateCodebaseDto {
  @NotificationEmailProperty()
  notification_email?: string | null;

  @DescriptionProperty()
  description?: string;
}
