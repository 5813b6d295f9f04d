from rest_framework.routers import SimpleRouter

from cxm.sla.apis import CalendarViewSet, HolidayViewSet

router = SimpleRouter()
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("holidays", HolidayViewSet, basename="holiday")
urlpatterns = router.urls
